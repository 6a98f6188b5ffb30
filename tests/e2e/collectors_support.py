"""Collectors in the e2e tests: CSRs and foreign CAs made with `cryptography`, enrolment, and mTLS sessions to the
collectors' listener (requests with a client certificate)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from support import API, bearer


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def key_pem(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def csr_pem(key, cn: str = "agent") -> str:
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
           .sign(key, hashes.SHA256()))
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def foreign_client(tmp: Path, cn: str) -> tuple[Path, Path]:
    """A client certificate with CN `cn` from a CA gatehouse never heard of: (cert, key) files."""
    ca_key, key = new_key(), new_key()
    now = dt.datetime.now(dt.timezone.utc)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "foreign CA")])
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    cert_path, key_path = tmp / f"foreign-{cn}.crt", tmp / f"foreign-{cn}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_text(key_pem(key))
    return cert_path, key_path


def signed_by(cert_pem: str, ca_bundle: str) -> bool:
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    marker = "-----END CERTIFICATE-----"
    pems = [p + marker for p in ca_bundle.split(marker) if "BEGIN CERTIFICATE" in p]
    for ca in (x509.load_pem_x509_certificate(p.encode()) for p in pems):
        try:
            ca.public_key().verify(cert.signature, cert.tbs_certificate_bytes,
                                   ec.ECDSA(cert.signature_hash_algorithm))
            return True
        except Exception:  # noqa: BLE001 - any failure means "not this CA"
            continue
    return False


def common_name(cert_pem: str) -> str:
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    return cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value


@dataclass
class Collector:
    id: str
    cert: Path
    key: Path
    ca: Path
    token: str
    registration: dict
    url: str  # the mTLS listener

    def session(self) -> requests.Session:
        s = requests.Session()
        # Otherwise REQUESTS_CA_BUNDLE (or a proxy) from the environment would override `verify`.
        s.trust_env = False
        s.cert = (str(self.cert), str(self.key))
        s.verify = str(self.ca)
        return s

    def push(self, samples: list[dict], batch_id: str | None = None, *, session=None, token=None, gz=False,
             **extra) -> requests.Response:
        body = {"batch_id": batch_id or uuid.uuid4().hex, "samples": samples, **extra}
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", **bearer(token or self.token)}
        if gz:
            data = gzip.compress(data)
            headers["Content-Encoding"] = "gzip"
        return (session or self.session()).post(f"{self.url}{API}/metrics", data=data, headers=headers, timeout=10)


def enrol(server, headers: dict, tmp: Path, *, name: str | None = None, with_csr: bool = True,
          bearer_token: str | None = None) -> Collector:
    """Registers a collector (with the given bearer, or `headers`) and writes its certificate, key and CA files."""
    key = new_key() if with_csr else None
    body = {"name": name or f"agent-{uuid.uuid4().hex[:6]}", "hostname": "db1.example"}
    if key:
        body["csr"] = csr_pem(key)
    auth = bearer(bearer_token) if bearer_token else headers
    resp = server.request("POST", f"{API}/collectors/register", headers=auth, json=body)
    assert resp.status_code == 201, resp.text
    reg = resp.json()
    base = tmp / reg["collector_id"]
    base.mkdir(parents=True, exist_ok=True)
    (base / "cert.pem").write_text(reg["certificate"])
    (base / "key.pem").write_text(key_pem(key) if key else reg["private_key"])
    (base / "ca.pem").write_text(reg["ca_certificate"])
    return Collector(reg["collector_id"], base / "cert.pem", base / "key.pem", base / "ca.pem", reg["token"], reg,
                     server.collectors_url)


def sample(name: str, value: float, *, t: float | None = None, **labels) -> dict:
    return {"name": name, "labels": labels, "time": time.time() if t is None else t, "value": value}
