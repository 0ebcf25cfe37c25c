// goclient: a TLS client as a Go program is one, for the end-to-end tests
// of the pem-dir output (tests/e2e/outputs.sh).  Go's crypto/x509 loads
// the system roots from every file of the directories of SSL_CERT_DIR
// (and SSL_CERT_FILE); this client uses them as any Go program does:
//	SSL_CERT_DIR=DIR SSL_CERT_FILE=/nonexistent goclient HOST:PORT
// It prints "verified SUBJECT" and exits 0 when the handshake verifies the
// server (name included), else prints the error and exits 1.
package main

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: goclient HOST:PORT")
		os.Exit(2)
	}
	host, _, err := net.SplitHostPort(os.Args[1])
	if err != nil {
		fmt.Println("failed:", err)
		os.Exit(2)
	}
	d := &net.Dialer{Timeout: 10 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", os.Args[1],
		&tls.Config{ServerName: host})
	if err != nil {
		fmt.Println("failed:", err)
		os.Exit(1)
	}
	defer c.Close()
	st := c.ConnectionState()
	fmt.Println("verified", st.PeerCertificates[0].Subject)
}
