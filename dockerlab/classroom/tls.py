"""HTTPS for the hub: the teacher's certificate and key, or a self-signed one the kit makes
(``cryptography``), whose SHA-256 fingerprint the learners compare with what their browser shows.

A hub on an address other than loopback sends every password across the network: ``classroom up``
serves it over HTTPS there, and plain HTTP only when the teacher says so (``--insecure-http``).
"""
from __future__ import annotations

import datetime
import ipaddress
import os
from pathlib import Path

from .engines import ClassroomError


def is_loopback(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return ip == "localhost"


def fingerprint(cert_pem: str | os.PathLike) -> str:
    """The certificate's SHA-256 fingerprint, as browsers print it (AB:CD:...)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    try:
        cert = x509.load_pem_x509_certificate(Path(cert_pem).read_bytes())
    except (OSError, ValueError) as e:
        raise ClassroomError(f"Cannot read the certificate {cert_pem}: {e}", state="the hub was not started",
                             hint="give a PEM certificate (--tls-cert) and its key (--tls-key)") from None
    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


def self_signed(folder: str | os.PathLike, ip: str, days: int = 90) -> tuple[Path, Path]:
    """A key and a certificate for ``ip`` (kept and reused while they fit), root's only."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    cert_path, key_path = folder / f"hub-{ip}.crt", folder / f"hub-{ip}.key"
    now = datetime.datetime.now(datetime.timezone.utc)
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if cert.not_valid_after_utc > now + datetime.timedelta(days=1):
            return cert_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"dockerlab classroom {ip}")])
    try:
        alt = [x509.IPAddress(ipaddress.ip_address(ip))]
    except ValueError:
        alt = [x509.DNSName(ip)]
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    os.chmod(key_path, 0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def choose(*, state: str, ip: str, cert: str = "", key: str = "", self_sign: bool = False,
           insecure_http: bool = False, warn=print) -> tuple[str, str, str]:
    """(cert, key, fingerprint) for the hub, or ("", "", "") for plain HTTP, by these rules: the
    teacher's pair when given; else a self-signed one on a non-loopback address (or when asked);
    plain HTTP on a non-loopback address only with ``insecure_http``, and then with a warning."""
    if bool(cert) != bool(key):
        raise ClassroomError("A certificate needs its key (and a key its certificate)", state="nothing was started",
                             hint="give both: --tls-cert hub.crt --tls-key hub.key")
    if cert:
        for p in (cert, key):
            if not Path(p).is_file():
                raise ClassroomError(f"No file {p}", state="nothing was started", hint="give the PEM files' paths")
        return str(Path(cert).resolve()), str(Path(key).resolve()), fingerprint(cert)
    if insecure_http:
        if not is_loopback(ip):
            warn(f"WARNING: the hub answers plain HTTP on {ip}: every password and notebook crosses the network "
                 "in clear. Leave out --insecure-http for HTTPS (a self-signed certificate), or give --tls-cert/--tls-key.")
        return "", "", ""
    if self_sign or not is_loopback(ip):
        c, k = self_signed(Path(state) / "tls", ip)
        return str(c), str(k), fingerprint(c)
    return "", "", ""
