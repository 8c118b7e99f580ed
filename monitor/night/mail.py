"""Sending the night's messages: French plain text and HTML, by SMTP (STARTTLS, TLS, or a local relay
without), the password from $VEILLE_SMTP_PASSWORD only; every message recorded in `outbox` with
whether the server took it. Dry runs render and record nothing."""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path
from typing import Any

import jinja2

from monitor.night.notices import Message

TEMPLATES = Path(__file__).parent.parent / "templates" / "mail"
PASSWORD_VARIABLE = "VEILLE_SMTP_PASSWORD"


def _environment(autoescape: bool) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=autoescape)


def render(message: Message, collectif: str) -> tuple[str, str]:
    """(plain text, HTML) of a message."""
    context = {"message": message, "collectif": collectif}
    text = _environment(False).get_template("message.txt.j2").render(**context)
    html = _environment(True).get_template("message.html.j2").render(**context)
    return text, html


def email(message: Message, mail: dict[str, Any], collectif: str) -> EmailMessage:
    text, html = render(message, collectif)
    built = EmailMessage()
    built["From"] = formataddr((mail["sender_name"], mail["sender"]))  # no name: the address alone
    built["To"] = message.recipient
    built["Subject"] = message.subject
    built["Date"] = formatdate(localtime=True)
    built["Message-ID"] = make_msgid(domain=mail["sender"].rsplit("@", 1)[-1])
    built.set_content(text)
    built.add_alternative(html, subtype="html")
    return built


def connect(mail: dict[str, Any], timeout_s: float = 30) -> smtplib.SMTP:
    """An open SMTP session, logged in when a user is configured."""
    context = ssl.create_default_context()
    if mail["security"] == "tls":
        session: smtplib.SMTP = smtplib.SMTP_SSL(
            mail["host"], mail["port"], timeout=timeout_s, context=context
        )
    else:
        session = smtplib.SMTP(mail["host"], mail["port"], timeout=timeout_s)
        if mail["security"] == "starttls":
            session.starttls(context=context)
    if mail["user"]:
        session.login(mail["user"], os.environ.get(PASSWORD_VARIABLE, ""))
    return session


def send(messages: list[Message], mail: dict[str, Any], collectif: str) -> list[tuple[Message, str]]:
    """Send each message; returns each with its status (« envoyé » or « échec : … »)."""
    if not messages:
        return []
    if not mail["host"]:
        return [(m, "non envoyé : aucun serveur SMTP configuré (mail.host)") for m in messages]
    results = []
    try:
        with connect(mail) as session:
            for message in messages:
                try:
                    session.send_message(email(message, mail, collectif))
                    results.append((message, "envoyé"))
                except smtplib.SMTPException as exc:
                    results.append((message, f"échec : {exc}"[:300]))
    except (OSError, smtplib.SMTPException) as exc:
        done = {id(m) for m, _ in results}
        results += [
            (m, f"échec : serveur SMTP injoignable ({exc})"[:300]) for m in messages if id(m) not in done
        ]
    return results


def outbox_rows(
    results: list[tuple[Message, str]], night_id: int | None, at: str, collectif: str
) -> list[dict]:
    return [
        {"night_id": night_id, "recipient": m.recipient, "subject": m.subject, "kinds": m.kinds,
         "keys": m.keys, "body": render(m, collectif)[0], "created_at": at, "status": status}
        for m, status in results
    ]  # fmt: skip
