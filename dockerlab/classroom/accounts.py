"""Learner accounts: Linux users with a subuid range (useradd gives one) and the lessons
copied into their home. Made and removed by root, never touching an account it did not make."""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

MARK = ".dockerlab-classroom"  # in the home of every account the classroom made


def learner_names(count: int, prefix: str = "learner") -> list[str]:
    return [f"{prefix}{i:02d}" for i in range(1, count + 1)]


def exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
        return True
    except KeyError:
        return False


def subuid_range(user: str, path: str = "/etc/subuid") -> tuple[int, int] | None:
    try:
        for line in Path(path).read_text().splitlines():
            name, start, count = (line.split(":") + ["", "", ""])[:3]
            if name == user:
                return int(start), int(count)
    except (OSError, ValueError):
        pass
    return None


def ensure(user: str, notebooks: Path | None = None, groups: tuple = ()) -> bool:
    """Make the account (if missing) and copy the lessons; True if it was made now."""
    made = False
    if not exists(user):
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", user], check=True)
        made = True
        pw = pwd.getpwnam(user)
        Path(pw.pw_dir, MARK).write_text("made by dockerlab classroom\n")
    pw = pwd.getpwnam(user)
    if (Path(pw.pw_dir) / MARK).exists():  # ours: private (useradd here makes homes 755)
        os.chmod(pw.pw_dir, 0o700)
    if subuid_range(user) is None:  # an older account: give it a range of its own
        subprocess.run(["usermod", "--add-subuids", *_free_range(), "--add-subgids", *_free_range("/etc/subgid"), user],
                       check=True)
    for g in groups:
        subprocess.run(["usermod", "-aG", g, user], check=True)
    home = Path(pw.pw_dir)
    if notebooks and notebooks.is_dir():
        dest = home / "notebooks"
        dest.mkdir(exist_ok=True)
        copied = [dest]  # only what root puts there now becomes the learner's (never a path they made)
        for nb in sorted(notebooks.glob("*.ipynb")):
            if not (dest / nb.name).exists():  # a learner's own work is never overwritten
                shutil.copy(nb, dest / nb.name)
                copied.append(dest / nb.name)
        for folder in sorted(notebooks.glob("nb[0-9][0-9]-*/")):  # the lessons' apps and build contexts
            if not (dest / folder.name).exists():
                shutil.copytree(folder, dest / folder.name, symlinks=True)
                copied += [dest / folder.name, *(dest / folder.name).rglob("*")]
        for p in copied:
            os.lchown(p, pw.pw_uid, pw.pw_gid)
    return made


#: what of a learner's home is their work: the lessons they edited, and their recorded checks
WORK = ("notebooks", ".dockerlab")


def archive(user: str, folder: str | Path) -> Path | None:
    """Pack the learner's work (:data:`WORK`) into ``folder/<user>-<UTC time>.tar.gz`` (root's
    only); None when the account is gone or was not made by the classroom. Raises OSError when it
    cannot be written: the caller then keeps the account."""
    import tarfile
    from datetime import datetime, timezone

    if not exists(user):
        return None
    home = Path(pwd.getpwnam(user).pw_dir)
    if not (home / MARK).exists():
        return None
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"{user}-{stamp}.tar.gz"
    tmp = path.with_name(path.name + ".part")
    with tarfile.open(tmp, "w:gz") as tar:
        for part in WORK:
            if (home / part).exists():
                tar.add(home / part, arcname=f"{user}/{part}")
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    return path


def remove(user: str) -> bool:
    """Remove an account the classroom made (its mark in the home), with its home."""
    if not exists(user):
        return False
    home = Path(pwd.getpwnam(user).pw_dir)
    if not (home / MARK).exists():
        return False  # not ours: left alone
    stop_processes(user)
    uid = pwd.getpwnam(user).pw_uid
    subprocess.run(["userdel", "--remove", user], check=False, stderr=subprocess.DEVNULL)
    shutil.rmtree(f"/run/user/{uid}", ignore_errors=True)  # its engine's runtime dir (the socket's)
    return True


def stop_processes(user: str) -> int:
    """Kill every process of an account the classroom made (its server, a Terminal's), each by its
    pid; returns how many. An account not made by the classroom is left alone."""
    if not exists(user) or not (Path(pwd.getpwnam(user).pw_dir) / MARK).exists():
        return 0
    pids = processes_of(pwd.getpwnam(user).pw_uid)
    for pid in pids:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
    return len(pids)


def processes_of(uid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if d.stat().st_uid == uid:
                    out.append(int(d.name))
            except OSError:
                continue
    return out


def _free_range(path: str = "/etc/subuid", count: int = 65536) -> list[str]:
    top = 100000
    try:
        for line in Path(path).read_text().splitlines():
            parts = line.split(":")
            if len(parts) == 3:
                top = max(top, int(parts[1]) + int(parts[2]))
    except (OSError, ValueError):
        pass
    return [f"{top}-{top + count - 1}"]
