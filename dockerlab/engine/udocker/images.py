"""The udocker backend's images: udocker's repository, `udocker pull` (with the offline archives and the
classroom copy when no registry answers), `udocker load` of a `docker save` archive, tags and removal."""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
from pathlib import Path

from ... import errors as E
from ..progress import Progress
from .common import _Fail, _parse_iso, _split_image


class ImagesMixin:
    """Part of :class:`~dockerlab.engine.udocker.UdockerEngine` (see the module's docstring)."""

    def _image_dirs(self) -> list[tuple[str, str, Path]]:
        """(repository, tag, directory) of each image udocker holds."""
        repos = self.home / "repos"
        out = []
        if not repos.is_dir():
            return out
        for tagfile in repos.rglob("TAG"):
            d = tagfile.parent
            rel, tag = d.parent.relative_to(repos).as_posix(), d.name
            with contextlib.suppress(OSError, ValueError):  # TAG holds ".../repos/<name>:<tag>"
                named = tagfile.read_text().strip().split("/repos/", 1)[1]
                rel, tag = named.rsplit(":", 1)
            out.append((rel, tag, d))
        return sorted(out)

    def _image_dict(self, repo: str, tag: str, d: Path, all_tags: list[str] | None = None) -> dict:
        size = 0
        manifest = {}
        with contextlib.suppress(OSError, ValueError):
            manifest = json.loads((d / "manifest").read_text())
        digest = (manifest.get("config") or {}).get("digest", "") if isinstance(manifest, dict) else ""
        if digest and (d / digest).exists():  # pulled (registry v2): the config blob is kept by its digest
            raw = (d / digest).read_bytes()
            for layer in manifest.get("layers") or []:
                with contextlib.suppress(OSError):
                    size += (d / layer.get("digest", "")).stat().st_size
        else:  # loaded from a `docker save` archive: container.json is the config
            raw = (d / "container.json").read_bytes() if (d / "container.json").exists() else b"{}"
            for layer in d.glob("*.layer"):
                with contextlib.suppress(OSError):
                    size += layer.stat().st_size
        conf = json.loads(raw or b"{}")
        created = conf.get("created", "")
        return {
            "Id": "sha256:" + hashlib.sha256(raw).hexdigest(),  # as Docker: the digest of the config
            "RepoTags": all_tags or [f"{repo}:{tag}"], "RepoDigests": [], "Created": int(_parse_iso(created)),
            "Size": size, "VirtualSize": size, "Labels": (conf.get("config") or {}).get("Labels") or {},
            "Config": conf.get("config") or {}, "Architecture": conf.get("architecture", ""), "Os": conf.get("os", "linux"),
            "ParentId": "", "SharedSize": -1, "Containers": -1,
        }

    def images(self, *, name: str | None = None, all: bool = False, filters: dict | None = None) -> list[dict]:
        """`docker images`; ``filters`` as the Engine API's (only ``label=KEY=VALUE`` is read: no image
        here carries the kit's labels, since udocker builds none)."""
        wanted = [f.split("=", 1) for f in (filters or {}).get("label") or []]
        by_id: dict[str, dict] = {}
        for repo, tag, d in self._image_dirs():
            if name and _split_image(name)[0] != repo:
                continue
            im = self._image_dict(repo, tag, d)
            if im["Id"] in by_id:
                by_id[im["Id"]]["RepoTags"].append(f"{repo}:{tag}")
            else:
                by_id[im["Id"]] = im
        for im in list(by_id.values()):
            labels = im.get("Labels") or (im.get("Config") or {}).get("Labels") or {}
            if any(labels.get(k) != (v[0] if v else labels.get(k)) for k, *v in wanted):
                del by_id[im["Id"]]
                continue
            im.pop("Config", None)
            im.pop("Architecture", None)
            im.pop("Os", None)
        return list(by_id.values())

    def _find_image(self, ref: str):
        want_repo, want_tag = _split_image(ref)
        raw = ref.strip()
        raw_repo, raw_tag = (raw.rsplit(":", 1) if ":" in raw.rsplit("/", 1)[-1] else (raw, "latest"))
        wanted = [(raw_repo, raw_tag), (want_repo, want_tag), (f"library/{want_repo}", want_tag)]
        dirs = self._image_dirs()
        for key in wanted:  # the name as given first, then Docker Hub's short and long forms
            for repo, tag, d in dirs:
                if (repo, tag) == key:
                    return repo, tag, d
        short = ref.split(":", 1)[-1] if ref.startswith("sha256:") else ref
        if re.fullmatch(r"[0-9a-f]{6,64}", short):
            for repo, tag, d in dirs:
                if self._image_dict(repo, tag, d)["Id"].split(":")[1].startswith(short):
                    return repo, tag, d
        return None

    def inspect_image(self, ref: str) -> dict:
        hit = self._find_image(ref)
        if hit is None:
            from ..translate import image_not_found

            raise image_not_found(ref, "inspect", "", [n for n, _t, _d in self._image_dirs()])
        return self._image_dict(*hit)

    def _load_archive(self, path: str) -> list[str]:
        """`docker load -i path` (``udocker load``): the image references it added."""
        if not os.access(path, os.R_OK):
            raise E.NotFound(f"Cannot load {path}: it does not exist or cannot be read",
                             hint="a `docker save` archive made on a machine with Docker")
        from .. import archives

        copy = archives.legacy_copy(str(path)) if archives.needs_rewrite(str(path)) else None
        try:  # Docker 25+'s OCI layout, rewritten into the layout udocker loads
            cp = self._call(f"load {path}", lambda: self._ud("load", "-i", copy or str(path)))
        finally:
            if copy:
                os.unlink(copy)
        return [ln.strip() for ln in cp.stdout.splitlines() if re.fullmatch(r"[\w./-]+:[\w.-]+", ln.strip())]

    def _archive_for(self, repo: str, tag: str) -> Path | None:
        for cand in (self.archive_dir / f"{repo.replace('/', '_')}-{tag}.tar", self.archive_dir / f"{repo.replace('/', '_')}.tar"):
            if tag == "latest" or "-" in cand.stem:
                if cand.is_file() and os.access(cand, os.R_OK):
                    return cand
        return None

    def pull(self, repository: str, tag: str):
        """Progress events like the Engine's: ``udocker pull`` (from DOCKERLAB_UDOCKER_REGISTRY if set, else
        Docker Hub), or, with no registry reachable, ``udocker load`` of the offline archive."""
        return (Progress.of(ev) for ev in self._pull(repository, tag))

    def _pull(self, repository: str, tag: str):
        repo, _ = _split_image(f"{repository}:{tag}")
        ref = f"{repo}:{tag}"
        yield {"status": f"Pulling from {repo if '/' in repo else 'library/' + repo}", "id": tag}
        first, _, rest = repo.partition("/")
        if rest and ("." in first or ":" in first or first == "localhost"):
            # a registry named in the reference: udocker wants it apart (--registry) and the path alone;
            # plain http for this machine's own registries, as Docker allows them without TLS
            local = first.split(":")[0] in ("localhost", "127.0.0.1", "::1") or first.startswith("127.")
            registry, path = ("http://" if local else "https://") + first, rest
        else:
            registry, path = self.registry, repo
        had_path = self._find_image(f"{path}:{tag}") is not None
        args = ["pull"] + ([f"--registry={registry}"] if registry else []) + [f"{path}:{tag}"]
        cp = self._ud(*args, check=False)
        out = (cp.stderr + "\n" + cp.stdout)
        if cp.returncode == 0 and path != repo and self._find_image(f"{path}:{tag}"):
            with contextlib.suppress(_Fail):  # keep it under the name asked for
                if not self._find_image(ref):
                    self._ud("tag", f"{path}:{tag}", ref)
                if not had_path:
                    self._ud("rmi", f"{path}:{tag}")
        if cp.returncode == 0 and self._find_image(ref):
            for layer in re.findall(r"downloading layer sha256:([0-9a-f]{12})", out):
                yield {"status": "Pull complete", "id": layer}
            yield {"status": f"Status: Downloaded newer image for {ref}"}
            return
        low = out.lower()
        offline = any(s in low for s in ("could not resolve host", "failed to connect", "connection refused",
                                         "network is unreachable", "timed out", "in download"))
        if offline:
            archive = self._archive_for(repo, tag)
            if archive is not None and not self._find_image(ref):
                self._load_archive(str(archive))
                if self._find_image(ref):
                    yield {"status": f"Status: the registry cannot be reached from here; loaded {ref} from the "
                                     f"offline archive {archive} (udocker load)"}
                    return
            if self._find_image(ref):
                yield {"status": f"Status: the registry cannot be reached; using the local image {ref}"}
                return
            baked = self._classroom_copy(repo, tag)
            if baked is not None:  # the lessons' classroom registry (127.0.0.1:5000) has no Binder twin
                self._ud("tag", baked, ref)
                yield {"status": f"Status: no registry can be reached here; {ref} is the {baked} image already in "
                                 f"this environment (baked in at build time), tagged, not downloaded"}
                return
            from ..translate import registry_unreachable

            where = re.search(r"resolve host: ([\w.-]+)", out)
            raise registry_unreachable(f"pull {ref}", where.group(1) if where else "the registry", image=ref,
                                       known=[n for n, _t, _d in self._image_dirs()])
        from ..translate import image_not_found

        said = out.strip().splitlines()[-1] if out.strip() else "pull failed"
        raise image_not_found(ref, "pull", f"udocker: {said}", [n for n, _t, _d in self._image_dirs()])

    def _classroom_copy(self, repo: str, tag: str) -> str | None:
        """For ``127.0.0.1:PORT/library/NAME`` (the kit's classroom registry, which the lessons pull from),
        the local ``NAME:tag`` if the store has it: on Binder no such registry exists, and the lesson
        images were baked in (``dockerlab bake``)."""
        m = re.fullmatch(r"(?:127\.0\.0\.1|localhost):\d+/library/([\w.-]+)", repo)
        if m is None:
            return None
        hit = self._find_image(f"{m.group(1)}:{tag}")
        return f"{hit[0]}:{hit[1]}" if hit else None

    def tag(self, image: str, repository: str, tag: str) -> None:
        """`docker tag` (``udocker tag``): one more name for an image."""
        hit = self._find_image(image)
        if hit is None:
            self.inspect_image(image)  # raises ImageNotFound
        repo, _ = _split_image(f"{repository}:{tag}")
        self._call(f"tag {image} as {repo}:{tag}", lambda: self._ud("tag", f"{hit[0]}:{hit[1]}", f"{repo}:{tag}"),
                   image=image)

    def load_images(self, data) -> list[Progress]:
        """`docker load` of an archive given as bytes or a file object (``udocker load``)."""
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".tar", dir=self.home) as f:
            if isinstance(data, (bytes, bytearray)):
                f.write(data)
            else:
                shutil.copyfileobj(data, f)
            f.flush()
            return [Progress(status=f"Loaded image: {r}", loaded=r) for r in self._load_archive(f.name)]

    def remove_image(self, ref: str, *, force: bool = False) -> list:
        hit = self._find_image(ref)
        if hit is None:
            self.inspect_image(ref)  # raises ImageNotFound
        repo, tag, d = hit
        im = self._image_dict(repo, tag, d)
        users = [c["Name"] for c in self._configs() if c.get("ImageID") == im["Id"]]
        if users and not force:
            raise E.ContainerStateError(
                f"Cannot remove the image {ref}: it is used by the container(s) {', '.join(sorted(users))}",
                status="in use", hint="remove those containers first, or pass force=True")
        self._call(f"remove the image {ref}", lambda: self._ud("rmi", f"{repo}:{tag}"), image=ref)
        res = [{"Untagged": f"{repo}:{tag}"}]
        if not self._find_image(im["Id"]):
            res.append({"Deleted": im["Id"]})
        return res
