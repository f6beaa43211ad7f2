package fineflow.workers.client;

import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.temporal.serviceclient.SimpleSslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * mTLS to a Temporal cluster (e.g. Temporal Cloud): client certificate and PKCS#8 key, and
 * optionally the CA that signed the server's certificate (else the JVM's trust store).
 */
public record TemporalTls(Path cert, Path key, Path ca, String serverName) {

  SslContext sslContext() {
    try (InputStream certIn = Files.newInputStream(cert); InputStream keyIn = Files.newInputStream(key)) {
      SimpleSslContextBuilder builder = SimpleSslContextBuilder.forPKCS8(certIn, keyIn);
      if (ca != null) {
        builder.setTrustManager(trustManager(ca));
      }
      return builder.build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the Temporal TLS files " + cert + ", " + key, e);
    }
  }

  private static X509TrustManager trustManager(Path ca) {
    try (InputStream in = Files.newInputStream(ca)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      return (X509TrustManager) tmf.getTrustManagers()[0];
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the Temporal CA " + ca, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a PEM CA certificate: " + ca + ": " + e.getMessage(), e);
    }
  }
}
