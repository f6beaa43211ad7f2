package fineflow.workers.engines;

import java.nio.file.Path;
import java.security.cert.X509Certificate;

/**
 * A node's identity in a control plane ({@link KubeControlPlane#nodeCredentials}).
 *
 * @param kubeconfig client certificate {@code CN=system:node:NAME, O=system:nodes}
 * @param serving the kubelet endpoint's TLS certificate (127.0.0.1 and the node's name)
 * @param clientCa the CA whose client certificates the kubelet endpoint accepts (the API server's)
 */
public record NodeCredentials(String nodeName, Path kubeconfig, KubePki.Issued serving, X509Certificate clientCa) {
}
