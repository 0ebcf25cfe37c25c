// TlsClient.java: a TLS client as a Java service would be one, for the
// end-to-end tests of the pkcs12 output (tests/e2e/outputs.sh).  Run as a
// single-file program:
//	java -Djavax.net.ssl.trustStore=STORE.p12 \
//	    -Djavax.net.ssl.trustStoreType=PKCS12 \
//	    -Djavax.net.ssl.trustStorePassword=changeit \
//	    TlsClient.java HOST PORT
// It trusts what the JVM's default SSLContext trusts (the system
// properties above), checks the host name as HTTPS does, and prints
// "verified PROTOCOL SUBJECT" and exits 0 when the handshake succeeds,
// else prints the exception's chain of causes and exits 1.
//	java TlsClient.java HOST PORT STORE.p12...
// does the same once per STORE (a PKCS#12 truststore, password changeit,
// read by the same TrustManagerFactory the default SSLContext uses; "-"
// for the default SSLContext, the system properties'), in one JVM: each
// line it prints begins with "STORE: "; exits 0 when every handshake
// succeeded, else 1.
import java.io.FileInputStream;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public class TlsClient {
	// connect: one handshake with ctx; lines prefixed with pfx
	static boolean connect(SSLContext ctx, String host, int port,
	    String pfx) {
		try (SSLSocket s = (SSLSocket)ctx.getSocketFactory().createSocket()) {
			s.connect(new InetSocketAddress(host, port), 10000);
			s.setSoTimeout(10000);
			SSLParameters p = s.getSSLParameters();
			p.setEndpointIdentificationAlgorithm("HTTPS");
			s.setSSLParameters(p);
			s.startHandshake();
			System.out.println(pfx + "verified " +
			    s.getSession().getProtocol() + " " +
			    s.getSession().getPeerPrincipal());
			return true;
		} catch (Exception e) {
			for (Throwable t = e; t != null; t = t.getCause())
				System.out.println(pfx + "failed: " + t);
			return false;
		}
	}

	// store: a context trusting the PKCS#12 file as javax.net.ssl.trustStore
	// would make the default one trust it
	static SSLContext store(String path) throws Exception {
		KeyStore ks = KeyStore.getInstance("PKCS12");
		try (FileInputStream in = new FileInputStream(path)) {
			ks.load(in, "changeit".toCharArray());
		}
		TrustManagerFactory tmf = TrustManagerFactory.getInstance(
		    TrustManagerFactory.getDefaultAlgorithm());
		tmf.init(ks);
		SSLContext ctx = SSLContext.getInstance("TLS");
		ctx.init(null, tmf.getTrustManagers(), null);
		return ctx;
	}

	public static void main(String[] args) throws Exception {
		if (args.length < 2) {
			System.err.println("usage: java TlsClient.java HOST PORT [STORE.p12...]");
			System.exit(2);
		}
		int port = Integer.parseInt(args[1]);
		if (args.length == 2)
			System.exit(connect(SSLContext.getDefault(), args[0], port,
			    "") ? 0 : 1);
		boolean all = true;
		for (int i = 2; i < args.length; i++)
			all &= connect(args[i].equals("-") ?
			    SSLContext.getDefault() : store(args[i]), args[0], port,
			    args[i] + ": ");
		System.exit(all ? 0 : 1);
	}
}
