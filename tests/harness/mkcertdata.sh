#!/bin/sh
# mkcertdata.sh ENTRY... > certdata.txt
# Write a certdata.txt in Mozilla's format from test certificates, so the
# tests can say what the trust objects say.  ENTRY is FILE.pem:KIND, KIND:
#   anchor       certificate + trust object, CKT_NSS_TRUSTED_DELEGATOR
#   email        certificate + trust object, trusted for email only
#   distrust     certificate + trust object, CKT_NSS_NOT_TRUSTED
#   distrust-only  trust object alone (no certificate), CKT_NSS_NOT_TRUSTED
#   badsha1      certificate + trusted object with a wrong SHA-1 hash
#   notrust      certificate without trust object
#   distrust-after  anchor with CKA_NSS_SERVER_DISTRUST_AFTER 2020-04-01
#   distrust-after=S[,E]  anchor with a server distrust-after of S and an
#                email one of E (UTCTime, YYMMDDHHMMSSZ; "-": none)
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

octal() {
	od -An -v -to1 "$1" | tr -s ' ' '\n' | grep -v '^$' |
	    awk '{ printf "\\%s", $1; n++; if (n % 16 == 0) printf "\n" }
	         END { if (n % 16) printf "\n" }'
}
# The DER of the Nth element (0-based) at depth 2 of a certificate.
tbs_item() {
	line=$(openssl asn1parse -inform DER -in "$1" | awk '/d=2/' | sed -n "$(( $2 + 1 ))p")
	off=$(echo "$line" | sed 's/^ *\([0-9]*\):.*/\1/')
	hl=$(echo "$line" | sed 's/.*hl= *\([0-9]*\).*/\1/')
	l=$(echo "$line" | sed 's/.* l= *\([0-9]*\).*/\1/')
	dd if="$1" of="$3" bs=1 skip="$off" count=$(( hl + l )) 2>/dev/null
}
value() { printf '%s MULTILINE_OCTAL\n' "$1"; octal "$2"; echo END; }

echo "# certdata.txt made by tests/harness/mkcertdata.sh"
echo "BEGINDATA"
echo "CKA_CLASS CK_OBJECT_CLASS CKO_NSS_BUILTIN_ROOT_LIST"
echo 'CKA_LABEL UTF8 "Test Roots"'
for e in "$@"; do
	f=${e%:*}
	kind=${e##*:}
	label=$(basename "$f" .pem)
	openssl x509 -in "$f" -outform DER -out "$tmp/c.der"
	tbs_item "$tmp/c.der" 1 "$tmp/serial"
	tbs_item "$tmp/c.der" 3 "$tmp/issuer"
	openssl dgst -sha1 -binary "$tmp/c.der" > "$tmp/sha1"
	if [ "$kind" = badsha1 ]; then
		printf '\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020\021\022\023\024' > "$tmp/sha1"
	fi
	echo
	if [ "$kind" != distrust-only ]; then
		echo "# Certificate \"$label\""
		echo "CKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE"
		echo "CKA_TOKEN CK_BBOOL CK_TRUE"
		echo "CKA_LABEL UTF8 \"$label\""
		echo "CKA_CERTIFICATE_TYPE CK_CERTIFICATE_TYPE CKC_X_509"
		value CKA_ISSUER "$tmp/issuer"
		value CKA_SERIAL_NUMBER "$tmp/serial"
		value CKA_VALUE "$tmp/c.der"
		sda=-
		eda=-
		case $kind in
		distrust-after)	sda=200401000000Z ;;
		distrust-after=*,*)
			sda=${kind#distrust-after=}
			eda=${sda#*,}
			sda=${sda%%,*} ;;
		distrust-after=*)	sda=${kind#distrust-after=} ;;
		esac
		for w in SERVER:$sda EMAIL:$eda; do
			if [ "${w#*:}" != - ]; then
				printf '%s' "${w#*:}" > "$tmp/da"
				value "CKA_NSS_${w%%:*}_DISTRUST_AFTER" "$tmp/da"
			else
				echo "CKA_NSS_${w%%:*}_DISTRUST_AFTER CK_BBOOL CK_FALSE"
			fi
		done
	fi
	[ "$kind" = notrust ] && continue
	case $kind in
	anchor|badsha1|distrust-after*)	s=CKT_NSS_TRUSTED_DELEGATOR; m=$s ;;
	email)	s=CKT_NSS_MUST_VERIFY_TRUST; m=CKT_NSS_TRUSTED_DELEGATOR ;;
	*)	s=CKT_NSS_NOT_TRUSTED; m=$s ;;
	esac
	echo
	echo "# Trust for \"$label\""
	echo "CKA_CLASS CK_OBJECT_CLASS CKO_NSS_TRUST"
	echo "CKA_TOKEN CK_BBOOL CK_TRUE"
	echo "CKA_LABEL UTF8 \"$label\""
	[ "$kind" = distrust-only ] || value CKA_CERT_SHA1_HASH "$tmp/sha1"
	value CKA_ISSUER "$tmp/issuer"
	value CKA_SERIAL_NUMBER "$tmp/serial"
	echo "CKA_TRUST_SERVER_AUTH CK_TRUST $s"
	echo "CKA_TRUST_EMAIL_PROTECTION CK_TRUST $m"
	echo "CKA_TRUST_CODE_SIGNING CK_TRUST CKT_NSS_MUST_VERIFY_TRUST"
	echo "CKA_TRUST_STEP_UP_APPROVED CK_BBOOL CK_FALSE"
done
