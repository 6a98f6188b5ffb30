"""The collectors' CA: created on first use, shown by `gatehouse ca show`, rotated by `gatehouse ca rotate` while the
server runs (new certificates from the new CA, the old one trusted until every collector renewed, then retired)."""

from __future__ import annotations

import time

from cryptography import x509

from collectors_support import csr_pem, enrol, new_key, sample, signed_by
from support import API, admin_login, run_cli, start_identity


def ca_show(data_dir) -> tuple[str, str]:
    result = run_cli(["ca", "show", "--data-dir", str(data_dir)])
    assert result.returncode == 0, result.stderr
    return result.stdout, result.stderr


def test_ca_show_rotate_and_retire(start_server, tmp_path):
    data = tmp_path / "data"
    gh = start_identity(start_server, "--collectors-sync-interval-s", "1", data_dir=data)
    admin = admin_login(gh).headers
    first_pem, status = ca_show(data)
    assert first_pem.count("BEGIN CERTIFICATE") == 1 and "(signing)" in status
    ca = x509.load_pem_x509_certificate(first_pem.encode())
    assert ca.not_valid_after.year - ca.not_valid_before.year >= 9  # 10 years
    assert "EC" in type(ca.public_key()).__name__ or ca.public_key().curve.name == "secp256r1"
    old = enrol(gh, admin, tmp_path)
    assert signed_by(old.registration["certificate"], first_pem)

    rotated = run_cli(["ca", "rotate", "--data-dir", str(data)])
    assert rotated.returncode == 0, rotated.stderr
    new_pem = rotated.stdout
    assert new_pem != first_pem and "BEGIN CERTIFICATE" in new_pem
    bundle, status = ca_show(data)
    assert bundle.count("BEGIN CERTIFICATE") == 2 and bundle.startswith(new_pem)

    # After the next sync (every second here): new registrations come from the new CA; the old collector still
    # pushes. (A registration before the sync would still get a certificate of the old CA.)
    time.sleep(2.5)
    fresh = enrol(gh, admin, tmp_path)
    assert signed_by(fresh.registration["certificate"], new_pem), "not signed by the new CA after a sync"
    assert fresh.registration["ca_certificate"].count("BEGIN CERTIFICATE") == 2
    assert fresh.push([sample("up", 1)]).status_code == 200, "a certificate of the new CA is trusted"
    assert old.push([sample("up", 1)]).status_code == 200, "the old CA stays trusted"

    # Every collector of the old CA renews (old cert and its previous one are from the old CA until it expires:
    # deleting them ends their use of it), then the old CA is retired.
    resp = old.session().post(f"{old.url}{API}/collectors/{old.id}/renew", json={"csr": csr_pem(new_key())},
                              timeout=5)
    assert resp.status_code == 200 and signed_by(resp.json()["certificate"], new_pem)
    # The previous certificate (old CA) stays valid until it expires; an operator who wants the old CA gone now
    # deletes the collectors that still hold one. Here: the renewed one keeps it, so the old CA stays trusted.
    time.sleep(2.5)
    assert ca_show(data)[0].count("BEGIN CERTIFICATE") == 2
    assert gh.request("DELETE", f"{API}/collectors/{old.id}", headers=admin).status_code == 204
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and ca_show(data)[0].count("BEGIN CERTIFICATE") == 2:
        time.sleep(0.5)
    bundle, _ = ca_show(data)
    assert bundle == new_pem, "the old CA was not retired once nothing it issued was alive"
    # The listener's certificate came from the old CA at start: collectors are given that CA too until a restart,
    # also those enrolled after it was retired.
    assert fresh.push([sample("up", 2)]).status_code == 200
    late = enrol(gh, admin, tmp_path)
    assert signed_by(late.registration["certificate"], new_pem)
    assert late.push([sample("up", 3)]).status_code == 200
