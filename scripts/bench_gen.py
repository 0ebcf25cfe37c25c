#!/usr/bin/env python3
# bench_gen.py N ROOT.pem INTERMEDIATES.pem: scenario G of bench.sh, one
# P-256 root and N intermediates it signed (CA, pathlen 0, one shared key,
# ten years from 2026-01-01), written as PEM.
import sys, datetime
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
n, out_root, out_inter = int(sys.argv[1]), sys.argv[2], sys.argv[3]
now = datetime.datetime(2026, 1, 1)
end = datetime.datetime(2036, 1, 1)
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
