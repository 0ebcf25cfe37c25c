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
import java.net.InetSocketAddress;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

public class TlsClient {
	public static void main(String[] args) throws Exception {
		if (args.length != 2) {
			System.err.println("usage: java TlsClient.java HOST PORT");
			System.exit(2);
		}
		SSLContext ctx = SSLContext.getDefault();
		try (SSLSocket s = (SSLSocket)ctx.getSocketFactory().createSocket()) {
			s.connect(new InetSocketAddress(args[0],
			    Integer.parseInt(args[1])), 10000);
			s.setSoTimeout(10000);
			SSLParameters p = s.getSSLParameters();
			p.setEndpointIdentificationAlgorithm("HTTPS");
			s.setSSLParameters(p);
			s.startHandshake();
			System.out.println("verified " +
			    s.getSession().getProtocol() + " " +
			    s.getSession().getPeerPrincipal());
		} catch (Exception e) {
			for (Throwable t = e; t != null; t = t.getCause())
				System.out.println("failed: " + t);
			System.exit(1);
		}
	}
}
