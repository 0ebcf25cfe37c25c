# ca.sh: what fixtures.sh and mkpki.sh share to make a test PKI with the
# openssl CLI; sourced by both (from this directory) in the directory the
# PKI is made in:
#	key NAME      an EC P-256 key in NAME.key
#	ca_init CNF   openssl ca's state begun anew in ./ca (index.txt,
#	              serial, new/) and its configuration in CNF: the CA
#	              "tca", policy "anything" (a commonName, an optional
#	              organizationName), no extensions copied from requests;
#	              the caller appends or passes (-extfile) the extensions

key() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$1.key" 2>/dev/null
}

ca_init() {
	rm -rf ca
	mkdir -p ca/new
	: >ca/index.txt
	echo 1000 >ca/serial
	cat >"$1" <<'CNF'
[ca]
default_ca = tca
[tca]
dir = ./ca
database = ./ca/index.txt
new_certs_dir = ./ca/new
serial = ./ca/serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[anything]
commonName = supplied
organizationName = optional
CNF
}
