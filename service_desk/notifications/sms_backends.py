"""Where texts go: a generic HTTPS gateway (as government SMS platforms expose) or Alibaba
Cloud SMS through its official SDK, chosen by configuration (``sms_backend``).

A backend's ``send`` returns the provider's id of the accepted text (or None) and raises
``SmsError`` otherwise; ``permanent`` says that trying again cannot help.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

ANSWER_MAX_BYTES = 64 * 1024
# Alibaba Cloud answers that no retry will change (the rest, throttling included, are retried)
ALIYUN_PERMANENT = frozenset({
    "isv.MOBILE_NUMBER_ILLEGAL", "isv.TEMPLATE_MISSING_PARAMETERS", "isv.INVALID_PARAMETERS",
    "isv.INVALID_JSON_PARAM", "isv.PARAM_LENGTH_LIMIT", "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL", "isv.BLACK_KEY_CONTROL_LIMIT", "isv.MOBILE_COUNT_OVER_LIMIT",
})


class SmsError(Exception):
    """The text was not accepted; ``str()`` is the reason shown on /admin/outbox."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason[:500])
        self.permanent = permanent


class SmsConfigError(ValueError):
    """The SMS configuration cannot be used."""


@dataclass(frozen=True)
class Text:
    """One text to send. ``id`` is stable across retries, so a provider can drop duplicates."""

    id: str
    phone: str
    text: str
    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)


class SmsBackend(Protocol):
    def send(self, text: Text) -> str | None: ...


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # a redirected POST would be replayed as a GET elsewhere: treat it as a failure instead
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class HttpGateway:
    """One POST of JSON {id, phone, text, kind} per text, signed with X-Signature."""

    def __init__(self, *, url: str, secret: str, timeout: float):
        parts = urlsplit(url.strip())
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise SmsConfigError("SERVICE_DESK_SMS_URL must be an https:// (or http://) address")
        if not secret:
            raise SmsConfigError("SERVICE_DESK_SMS_SECRET is not set: the gateway needs the key "
                                 "that signs each text")
        self.url = url.strip()
        self.secret = secret.encode("utf-8")
        self.timeout = timeout
        self.opener = urllib.request.build_opener(_NoRedirect)

    def body(self, text: Text) -> bytes:
        return json.dumps({"id": text.id, "phone": text.phone, "text": text.text,
                           "kind": text.kind}, ensure_ascii=False).encode("utf-8")

    def signature(self, body: bytes) -> str:
        return "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()

    def send(self, text: Text) -> str | None:
        body = self.body(text)
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-Signature": self.signature(body)})
        try:
            with self.opener.open(request, timeout=self.timeout) as answer:
                raw = answer.read(ANSWER_MAX_BYTES)
                status = answer.status
        except urllib.error.HTTPError as exc:
            # 4xx is a refusal of this text (except timeouts and throttling); 5xx may pass later
            permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
            raise SmsError(f"gateway answered HTTP {exc.code}", permanent=permanent) from None
        except (OSError, ValueError) as exc:  # refused, reset, timed out, bad answer
            raise SmsError(f"gateway unreachable: {exc.__class__.__name__}: {exc}") from None
        if not 200 <= status < 300:
            raise SmsError(f"gateway answered HTTP {status}")
        try:
            answer_id = json.loads(raw).get("id")
        except (ValueError, AttributeError):
            answer_id = None
        return str(answer_id)[:128] if answer_id else None


class AliyunSms:
    """Alibaba Cloud SMS (dysmsapi 2017-05-25) by its official SDK: the sign name and one
    approved template per message kind; the row's params are the template's variables."""

    def __init__(self, *, key_id: str, key_secret: str, sign_name: str,
                 templates: Mapping[str, str], endpoint: str, protocol: str, timeout: float):
        missing = [name for name, value in (("ALIYUN_ACCESS_KEY_ID", key_id),
                                            ("ALIYUN_ACCESS_KEY_SECRET", key_secret),
                                            ("ALIYUN_SMS_SIGN_NAME", sign_name)) if not value]
        if missing:
            raise SmsConfigError("Alibaba Cloud SMS needs " + ", ".join(
                "SERVICE_DESK_" + name for name in missing))
        if not isinstance(templates, Mapping):
            raise SmsConfigError('SERVICE_DESK_ALIYUN_SMS_TEMPLATES must be a JSON object '
                                 '{"<kind>": "SMS_…"}')
        if protocol.upper() not in ("HTTPS", "HTTP"):
            raise SmsConfigError("SERVICE_DESK_ALIYUN_SMS_PROTOCOL must be HTTPS or HTTP")
        # imported here: the SDK (and its aiohttp) loads only where Alibaba Cloud is used
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import models as openapi_models

        self.client = Client(openapi_models.Config(
            access_key_id=key_id, access_key_secret=key_secret, endpoint=endpoint,
            protocol=protocol.upper()))
        self.sign_name = sign_name
        self.templates = dict(templates)
        self.timeout_ms = int(timeout * 1000)

    def send(self, text: Text) -> str | None:
        from alibabacloud_dysmsapi20170525 import models as sms_models
        from alibabacloud_tea_util import models as util_models
        from Tea.exceptions import TeaException, UnretryableException

        template = self.templates.get(text.kind)
        if not template:
            raise SmsError(f"no Alibaba Cloud template for kind {text.kind!r} "
                           "(SERVICE_DESK_ALIYUN_SMS_TEMPLATES)", permanent=True)
        request = sms_models.SendSmsRequest(
            phone_numbers=text.phone, sign_name=self.sign_name, template_code=template,
            template_param=json.dumps(dict(text.params), ensure_ascii=False), out_id=text.id)
        # our own retries and backoff: the SDK's are off
        runtime = util_models.RuntimeOptions(connect_timeout=self.timeout_ms,
                                             read_timeout=self.timeout_ms, autoretry=False)
        try:
            answer = self.client.send_sms_with_options(request, runtime).body
        except (UnretryableException, OSError, ValueError) as exc:  # before its base class
            raise SmsError(f"Alibaba Cloud unreachable: {exc.__class__.__name__}: {exc}") from None
        except TeaException as exc:
            raise SmsError(f"Alibaba Cloud: {exc.code}: {exc.message}",
                           permanent=exc.code in ALIYUN_PERMANENT) from None
        if answer is None or answer.code != "OK":
            code = answer.code if answer else "no answer"
            message = answer.message if answer else ""
            raise SmsError(f"Alibaba Cloud: {code}: {message}",
                           permanent=code in ALIYUN_PERMANENT)
        return answer.biz_id


def sms_choice(config: Mapping[str, Any]) -> str:
    """The configured backend's name ("gateway", "aliyun", or "" for none), unchecked."""
    choice = str(config.get("SMS_BACKEND") or "").strip().lower()
    if not choice:
        choice = ("gateway" if config.get("SMS_URL")
                  else "aliyun" if config.get("ALIYUN_ACCESS_KEY_ID") else "")
    return choice


def sms_backend(config: Mapping[str, Any]) -> SmsBackend | None:
    """The backend the configuration names, or None when texts are not configured (they wait
    in the outbox). Raises SmsConfigError when it is configured but unusable."""
    choice = sms_choice(config)
    timeout = float(config.get("SMS_TIMEOUT") or 10)
    if choice == "gateway":
        return HttpGateway(url=str(config.get("SMS_URL") or ""),
                           secret=str(config.get("SMS_SECRET") or ""), timeout=timeout)
    if choice == "aliyun":
        return AliyunSms(key_id=str(config.get("ALIYUN_ACCESS_KEY_ID") or ""),
                         key_secret=str(config.get("ALIYUN_ACCESS_KEY_SECRET") or ""),
                         sign_name=str(config.get("ALIYUN_SMS_SIGN_NAME") or ""),
                         templates=config.get("ALIYUN_SMS_TEMPLATES") or {},
                         endpoint=str(config.get("ALIYUN_SMS_ENDPOINT") or "dysmsapi.aliyuncs.com"),
                         protocol=str(config.get("ALIYUN_SMS_PROTOCOL") or "HTTPS"),
                         timeout=timeout)
    if choice:
        raise SmsConfigError(f"SERVICE_DESK_SMS_BACKEND must be gateway or aliyun, not {choice!r}")
    return None
