"""Evidence files: checked by content (not by name alone), stored under instance/, never
under static/, and served only through a view that checks access."""
from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from ..extensions import db
from .models import Attachment, Matter, MatterUpdate
from .services import MatterError

# magic numbers: the content decides, whatever the name or the browser claims
KINDS = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".pdf": ("application/pdf", (b"%PDF-",)),
}


@dataclass
class CheckedFile:
    filename: str
    content_type: str
    data: bytes


def attachment_check(upload: FileStorage | None) -> CheckedFile | None:
    """Validate before anything is stored; None when no file was given."""
    if upload is None or not upload.filename:
        return None
    name = os.path.basename(upload.filename.replace("\\", "/"))[:200]
    ext = os.path.splitext(name)[1].lower()
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise MatterError(_l("The file is larger than %(mb)d MB.", mb=limit // (1024 * 1024)),
                          "evidence")
    if not data:
        raise MatterError(_l("The file is empty."), "evidence")
    kind = KINDS.get(ext)
    if kind is None or not data.startswith(kind[1]):
        raise MatterError(_l("Only JPEG or PNG images and PDF files can be attached."), "evidence")
    return CheckedFile(filename=name, content_type=kind[0], data=data)


def storage_dir() -> str:
    path = os.path.join(current_app.instance_path, "attachments")
    os.makedirs(path, exist_ok=True)
    return path


def attachment_save(*, checked: CheckedFile, matter: Matter, update: MatterUpdate,
                    actor) -> Attachment:
    """Write the file and its row; the caller removes the file if the commit fails."""
    stored = uuid.uuid4().hex
    with open(os.path.join(storage_dir(), stored), "wb") as fh:
        fh.write(checked.data)
    attachment = Attachment(
        matter_id=matter.id, update_id=update.id, uploaded_by_id=getattr(actor, "id", None),
        filename=checked.filename, stored_name=stored, content_type=checked.content_type,
        size=len(checked.data), sha256=hashlib.sha256(checked.data).hexdigest())
    db.session.add(attachment)
    db.session.flush()
    return attachment


def attachment_path(attachment: Attachment) -> str:
    return os.path.join(storage_dir(), attachment.stored_name)


def discard(attachment: Attachment | None) -> None:
    if attachment is not None:
        try:
            os.remove(attachment_path(attachment))
        except OSError:
            pass
