"""Each learner's own sign-in: a password of their own, made by the kit and printed once for the
teacher as a sheet of cards, checked by NativeAuthenticator (``jupyterhub-nativeauthenticator``).

Why this authenticator, for thirty strangers on one machine:

- **pre-created accounts, no sign-up**: ``enable_signup = False``; only the accounts the teacher
  made exist. FirstUseAuthenticator would let whoever signs in first as ``learner02`` choose
  learner02's password: a hostile learner only has to be quicker.
- **bcrypt, stored by the hub**: NativeAuthenticator keeps a bcrypt hash per user in the hub's
  database (its ``users_info`` table); the kit writes the hashes, never the passwords, into the
  classroom's state (root's only). The passwords exist once: on the cards, and on the screen at ``up``.
- **what a class needs already there**: a learner changes their password at ``/hub/change-password``;
  the teacher (a hub admin) resets one at ``/hub/change-password/NAME`` and sees every account at
  ``/hub/authorize``; failed sign-ins are slowed (``allowed_failed_logins``).

A school with its own accounts plugs in its authenticator instead (README: OAuthenticator, LTI).
"""
from __future__ import annotations

import json
import os
import secrets
from html import escape
from pathlib import Path

#: ambiguous characters left out (0/O, 1/l/I): the cards are read and typed by people
ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 12  # 12 of 56 symbols: ~70 bits, far beyond guessing through a web form


def new_password() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(PASSWORD_LENGTH))


def hashes_file(state: str | os.PathLike) -> Path:
    return Path(state) / "signin.json"


def load(state) -> dict:
    """``{"hashes": {name: bcrypt hash}, "renewed": [names whose hash the hub must take again]}``."""
    try:
        data = json.loads(hashes_file(state).read_text())
    except (OSError, ValueError):
        data = {}
    return {"hashes": dict(data.get("hashes") or {}), "renewed": sorted(set(data.get("renewed") or []))}


def _save(state, data: dict) -> None:
    path = hashes_file(state)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def ensure_passwords(state, names: list[str], renew: tuple = ()) -> dict[str, str]:
    """Give every name without one (and every name in ``renew``) a new password; store only its
    bcrypt hash. Returns the NEW passwords (name -> password): shown once, never stored."""
    import bcrypt

    data = load(state)
    new = {}
    for n in names:
        if n not in data["hashes"] or n in renew:
            pw = new_password()
            data["hashes"][n] = bcrypt.hashpw(pw.encode(), bcrypt.gensalt()).decode()
            new[n] = pw
            # the hub takes every new hash at its start, over whatever its database held for the name
            # (an account of the same name in an earlier class kept the old one)
            data["renewed"] = sorted({*data["renewed"], n})
    for n in [n for n in data["hashes"] if n not in names]:  # an account the classroom no longer has
        del data["hashes"][n]
    _save(state, data)
    return new


def forget(state, names) -> None:
    """Drop the stored hashes of ``names`` (their accounts are gone)."""
    data = load(state)
    for n in names:
        data["hashes"].pop(n, None)
    data["renewed"] = [n for n in data["renewed"] if n not in set(names)]
    _save(state, data)


def cards_html(url: str, passwords: dict[str, str], *, fingerprint: str = "", teacher: str = "") -> str:
    """A page of cards, one per person: where to sign in, the name, the password, and (with TLS made
    by the kit) the certificate's fingerprint to compare with what the browser shows."""
    cards = []
    for name, pw in sorted(passwords.items()):
        role = " (teacher, hub admin)" if name == teacher else ""
        fp = (f"<p class='fp'>certificate SHA-256:<br><code>{escape(fingerprint)}</code></p>" if fingerprint else "")
        cards.append(f"<div class='card'><p>Sign in at <b>{escape(url)}</b></p>"
                     f"<p>name <b><code>{escape(name)}</code></b>{escape(role)}</p>"
                     f"<p>password <b><code>{escape(pw)}</code></b></p>{fp}"
                     "<p class='small'>Change it after signing in: File &gt; Hub Control Panel, "
                     "or /hub/change-password</p></div>")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>dockerlab classroom: sign-in cards"
            "</title><style>body{font-family:sans-serif}.card{display:inline-block;width:20em;margin:.5em;"
            "padding:.8em;border:1px dashed #444;vertical-align:top}code{font-size:1.15em}.small,.fp{font-size:.8em}"
            "</style></head><body><h1>Sign-in cards (cut along the lines; each password is shown only here)</h1>"
            + "".join(cards) + "</body></html>\n")


def write_cards(state, url: str, passwords: dict[str, str], **kw) -> Path | None:
    """Write the cards of the new passwords (root's only); None when there are none."""
    if not passwords:
        return None
    from datetime import datetime, timezone

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = Path(state) / f"cards-{stamp}.html"
    path.write_text(cards_html(url, passwords, **kw))
    os.chmod(path, 0o600)
    return path


def authenticator_class():
    """NativeAuthenticator, which at the hub's start holds exactly the classroom's accounts (their
    hashes from ``signin.json``, authorized) and lets nobody sign up. A password a learner changed
    is kept across restarts; one the teacher renewed (``up --new-password NAME``) replaces it."""
    from nativeauthenticator import NativeAuthenticator
    from nativeauthenticator.orm import UserInfo
    from traitlets import Unicode

    class ClassroomAuthenticator(NativeAuthenticator):
        state_dir = Unicode(config=True, help="the classroom's state folder (its signin.json)")

        def get_handlers(self, app):
            # JupyterHub's own login page (NativeAuthenticator 1.3's LoginHandler calls the handler's
            # `statsd`, which JupyterHub 6 no longer has) and no sign-up page at all; the password
            # pages stay (/hub/change-password, the admin's /hub/change-password/NAME, /hub/authorize)
            return [(path, handler) for path, handler in super().get_handlers(app)
                    if path not in ("/login", "/signup")]

        def add_new_table(self):
            super().add_new_table()
            data = load(self.state_dir)
            hashes = data["hashes"]
            for name, hashed in hashes.items():
                row = UserInfo.find(self.db, name)
                if row is None:
                    self.db.add(UserInfo(username=name, password=hashed.encode(), is_authorized=True))
                elif name in data["renewed"]:
                    row.password, row.is_authorized = hashed.encode(), True
            for row in UserInfo.all_users(self.db):  # an account the classroom no longer has: gone
                if row.username not in hashes:
                    self.db.delete(row)
            self.db.commit()
            if data["renewed"]:
                _save(self.state_dir, {**data, "renewed": []})

    return ClassroomAuthenticator
