#!/usr/bin/env python3
# bench_gen.py N ROOT.pem INTERMEDIATES.pem: scenario G of bench.sh, one
# P-256 root and N intermediates it signed (CA, pathlen 0, one shared key,
# ten years from 2026-01-01), written as PEM.
# bench_gen.py --roots N ROOTS.pem: scenario H, N self-signed P-256 roots
# (one shared key; distinct names and serials; the same dates), one PEM file.
import sys, datetime
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
now = datetime.datetime(2026, 1, 1)
end = datetime.datetime(2036, 1, 1)
ku = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
if sys.argv[1] == "--roots":
    n, out = int(sys.argv[2]), sys.argv[3]
    k = ec.generate_private_key(ec.SECP256R1())
    ski = x509.SubjectKeyIdentifier.from_public_key(k.public_key())
    with open(out, "wb") as f:
        for i in range(n):
            name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "trustbuild bench"),
                              x509.NameAttribute(NameOID.COMMON_NAME, "bench H root %d" % i)])
            c = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                 .public_key(k.public_key()).serial_number(100000 + i)
                 .not_valid_before(now).not_valid_after(end)
                 .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                 .add_extension(ku, critical=True).add_extension(ski, critical=False)
                 .sign(k, hashes.SHA256()))
            f.write(c.public_bytes(serialization.Encoding.PEM))
    sys.exit(0)
n, out_root, out_inter = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rk = ec.generate_private_key(ec.SECP256R1())
ik = ec.generate_private_key(ec.SECP256R1())
rn = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bench G root")])
rski = x509.SubjectKeyIdentifier.from_public_key(rk.public_key())
root = (x509.CertificateBuilder().subject_name(rn).issuer_name(rn)
        .public_key(rk.public_key()).serial_number(1)
        .not_valid_before(now).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(rski, critical=False)
        .sign(rk, hashes.SHA256()))
open(out_root, "wb").write(root.public_bytes(serialization.Encoding.PEM))
aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(rski)
iski = x509.SubjectKeyIdentifier.from_public_key(ik.public_key())
with open(out_inter, "wb") as f:
    for i in range(n):
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bench G intermediate %d" % i)])
        c = (x509.CertificateBuilder().subject_name(name).issuer_name(rn)
             .public_key(ik.public_key()).serial_number(1000 + i)
             .not_valid_before(now).not_valid_after(end)
             .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
             .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
             .add_extension(iski, critical=False).add_extension(aki, critical=False)
             .sign(rk, hashes.SHA256()))
        f.write(c.public_bytes(serialization.Encoding.PEM))
