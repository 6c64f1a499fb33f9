/* A live count in words under a comment box ("You have written 12 of 500 characters."):
   for every textarea with data-count-id, fills the element of that id from its
   data-template ({n} and {max}); without script the hint still states the limit. */
(function () {
  "use strict";
  function wire(box) {
    var out = document.getElementById(box.getAttribute("data-count-id"));
    if (!out) { return; }
    var max = box.getAttribute("data-count-max") || box.getAttribute("maxlength") || "";
    var template = out.getAttribute("data-template") || "{n} / {max}";
    var timer = null;
    function show() {
      out.textContent = template.replace("{n}", String(box.value.length)).replace("{max}", max);
    }
    show();
    /* screen readers hear the count after a pause in typing, not at every key */
    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(show, 400);
    });
  }
  var boxes = document.querySelectorAll("textarea[data-count-id]");
  for (var i = 0; i < boxes.length; i += 1) { wire(boxes[i]); }
}());
