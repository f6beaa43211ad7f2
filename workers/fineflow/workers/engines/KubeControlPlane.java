package fineflow.workers.engines;

import io.fabric8.kubernetes.api.model.NamedAuthInfoBuilder;
import io.fabric8.kubernetes.api.model.NamedClusterBuilder;
import io.fabric8.kubernetes.api.model.NamedContextBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kubernetes control plane on loopback: etcd, kube-apiserver, kube-controller-manager and
 * kube-scheduler, built by {@code scripts/install-engines}, with their data, certificates,
 * kubeconfigs and logs under one directory. Secured like a kubeadm cluster: TLS with a fresh CA,
 * client certificates per component, ServiceAccount tokens signed by a key of its own,
 * {@code --authorization-mode=Node,RBAC} and the default admission plugins (plus
 * NodeRestriction, as kubeadm enables). No kubelet: pods stay Pending unless a node agent runs them.
 *
 * <pre>{@code
 * try (KubeControlPlane k8s = KubeControlPlane.start(EngineBinaries.fromEnvironment(), dir)) {
 *   try (KubernetesClient admin = k8s.adminClient()) { ... }
 * }
 * }</pre>
 */
public final class KubeControlPlane implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KubeControlPlane.class);
  /** The issuer every ServiceAccount token names (what kubeadm configures). */
  public static final String SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";
  private static final String SERVICE_CIDR = "10.96.0.0/16";
  /** The binaries it runs, all from {@code scripts/install-engines}. */
  public static final List<String> BINARIES =
      List.of("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler");
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration STOP_GRACE = Duration.ofSeconds(15);

  private final Path dataDir;
  private final KubePki pki;
  private final int apiPort;
  private final List<Component> started = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::stopAll, "kube-control-plane-stop");
  private Duration startTime;

  private KubeControlPlane(Path dataDir, KubePki pki, int apiPort) {
    this.dataDir = dataDir;
    this.pki = pki;
    this.apiPort = apiPort;
  }

  /**
   * Starts the four processes on free loopback ports and waits until each is ready.
   *
   * @param dataDir created if missing; etcd's data, the PKI, kubeconfigs and logs/ go there
   * @throws EngineMissingException when a binary is not installed
   * @throws IllegalStateException when a process exits or is not ready in time (with its log tail)
   */
  public static KubeControlPlane start(EngineBinaries engines, Path dataDir) throws IOException {
    Path etcd = engines.require("etcd");
    Path apiserver = engines.require("kube-apiserver");
    Path controllerManager = engines.require("kube-controller-manager");
    Path scheduler = engines.require("kube-scheduler");
    Instant begin = Instant.now();
    Path dir = dataDir.toAbsolutePath();
    Files.createDirectories(dir.resolve("logs"));
    KubeControlPlane plane = new KubeControlPlane(dir, KubePki.create(), freePort());
    Runtime.getRuntime().addShutdownHook(plane.shutdownHook);
    try {
      plane.launch(etcd, apiserver, controllerManager, scheduler);
    } catch (IOException | RuntimeException e) {
      plane.close();
      throw e;
    }
    plane.startTime = Duration.between(begin, Instant.now());
    log.info("Kubernetes control plane ready at {} in {} ms (data in {})", plane.url(),
        plane.startTime.toMillis(), dir);
    return plane;
  }

  private void launch(Path etcd, Path apiserver, Path controllerManager, Path scheduler) throws IOException {
    Path pkiDir = Files.createDirectories(dataDir.resolve("pki"));
    Path ca = write(pkiDir.resolve("ca.crt"), pki.ca().certificatePem());
    Path caKey = writeSecret(pkiDir.resolve("ca.key"), pki.ca().privateKeyPem());
    KubePki.Issued serving = pki.serving(
        List.of("kubernetes", "kubernetes.default", "kubernetes.default.svc",
            "kubernetes.default.svc.cluster.local", "localhost"),
        List.of("127.0.0.1", "10.96.0.1"));
    Path servingCert = write(pkiDir.resolve("serving.crt"), serving.certificatePem());
    Path servingKey = writeSecret(pkiDir.resolve("serving.key"), serving.privateKeyPem());
    KeyPair saKeys = KubePki.rsa();
    Path saKey = writeSecret(pkiDir.resolve("sa.key"), KubePki.pem(saKeys.getPrivate()));
    Path saPub = write(pkiDir.resolve("sa.pub"), KubePki.pem(saKeys.getPublic()));
    KubePki.Issued kubeletClient = pki.client("kube-apiserver-kubelet-client", List.of("system:masters"));
    Path kubeletClientCert = write(pkiDir.resolve("apiserver-kubelet-client.crt"), kubeletClient.certificatePem());
    Path kubeletClientKey = writeSecret(pkiDir.resolve("apiserver-kubelet-client.key"), kubeletClient.privateKeyPem());
    writeKubeconfig("admin.kubeconfig", "kubernetes-admin", List.of("system:masters"));
    Path kcmConfig = writeKubeconfig("controller-manager.kubeconfig", "system:kube-controller-manager", List.of());
    Path schedulerConfig = writeKubeconfig("scheduler.kubeconfig", "system:kube-scheduler", List.of());
    HttpClient http = httpClient();

    int etcdPort = freePort();
    int peerPort = freePort();
    String etcdUrl = "http://127.0.0.1:" + etcdPort;
    String peerUrl = "http://127.0.0.1:" + peerPort;
    Component etcdProcess = run("etcd", URI.create(etcdUrl + "/health"), etcd.toString(), "--name=fineflow",
        "--data-dir=" + dataDir.resolve("etcd"),
        "--listen-client-urls=" + etcdUrl, "--advertise-client-urls=" + etcdUrl,
        "--listen-peer-urls=" + peerUrl, "--initial-advertise-peer-urls=" + peerUrl,
        "--initial-cluster=fineflow=" + peerUrl);
    etcdProcess.awaitReady(http);

    Component api = run("kube-apiserver", URI.create(url() + "/readyz"), apiserver.toString(),
        "--etcd-servers=" + etcdUrl,
        "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port=" + apiPort,
        "--tls-cert-file=" + servingCert, "--tls-private-key-file=" + servingKey,
        "--client-ca-file=" + ca,
        "--service-account-issuer=" + SERVICE_ACCOUNT_ISSUER,
        "--service-account-key-file=" + saPub, "--service-account-signing-key-file=" + saKey,
        "--service-cluster-ip-range=" + SERVICE_CIDR,
        "--authorization-mode=Node,RBAC",
        // On top of the defaults (NamespaceLifecycle, ServiceAccount, PodSecurity, ...), as kubeadm.
        "--enable-admission-plugins=NodeRestriction",
        "--kubelet-client-certificate=" + kubeletClientCert, "--kubelet-client-key=" + kubeletClientKey,
        // Node agents serve their kubelet endpoint with a certificate of this CA: verify it, and
        // reach them at their InternalIP first (kubeadm's order; a node name need not resolve).
        "--kubelet-certificate-authority=" + ca,
        "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
        // The "kubernetes" Service cannot point at a loopback address (Endpoints validation).
        "--endpoint-reconciler-type=none",
        "--profiling=false");
    api.awaitReady(http);

    int kcmPort = freePort();
    Component kcm = run("kube-controller-manager", URI.create("https://127.0.0.1:" + kcmPort + "/healthz"),
        controllerManager.toString(),
        "--kubeconfig=" + kcmConfig, "--authentication-kubeconfig=" + kcmConfig,
        "--authorization-kubeconfig=" + kcmConfig,
        "--bind-address=127.0.0.1", "--secure-port=" + kcmPort,
        "--tls-cert-file=" + servingCert, "--tls-private-key-file=" + servingKey,
        "--service-account-private-key-file=" + saKey, "--root-ca-file=" + ca,
        "--use-service-account-credentials=true",
        "--cluster-signing-cert-file=" + ca, "--cluster-signing-key-file=" + caKey,
        // The PersistentVolume binder's periodic pass (default 15 s): the dev stack's workspace
        // claim was measured to wait up to two passes right after start.
        "--pvclaimbinder-sync-period=2s",
        "--leader-elect=false", "--profiling=false");
    int schedulerPort = freePort();
    Component sched = run("kube-scheduler", URI.create("https://127.0.0.1:" + schedulerPort + "/readyz"),
        scheduler.toString(),
        "--kubeconfig=" + schedulerConfig, "--authentication-kubeconfig=" + schedulerConfig,
        "--authorization-kubeconfig=" + schedulerConfig,
        "--bind-address=127.0.0.1", "--secure-port=" + schedulerPort,
        "--tls-cert-file=" + servingCert, "--tls-private-key-file=" + servingKey,
        "--leader-elect=false", "--profiling=false");
    kcm.awaitReady(http);
    sched.awaitReady(http);
  }

  /** {@code https://127.0.0.1:PORT}. */
  public String url() {
    return "https://127.0.0.1:" + apiPort;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** A kubeconfig of the cluster admin (O=system:masters), for kubectl and fineflow. */
  public Path adminKubeconfig() {
    return dataDir.resolve("admin.kubeconfig");
  }

  /** The CA that signed the API server's certificate, PEM. */
  public Path caCertificate() {
    return dataDir.resolve("pki/ca.crt");
  }

  /** Where each process's output goes: {@code logs/NAME.log}. */
  public Path log(String component) {
    return dataDir.resolve("logs").resolve(component + ".log");
  }

  /** From the call to start until every process was ready. */
  public Duration startTime() {
    return startTime;
  }

  public Config adminConfig() {
    return Config.fromKubeconfig(adminKubeconfig().toFile());
  }

  /** A new client as the cluster admin; the caller closes it. */
  public KubernetesClient adminClient() {
    return new KubernetesClientBuilder().withConfig(adminConfig()).build();
  }

  /**
   * A token of the ServiceAccount from the TokenRequest API, as the kubelet gets one for a pod.
   *
   * @param ttl at least 10 minutes (the API server's minimum)
   */
  public String serviceAccountToken(String namespace, String serviceAccount, Duration ttl) {
    TokenRequest request = new TokenRequestBuilder().withNewSpec()
        .withExpirationSeconds(ttl.toSeconds()).endSpec().build();
    try (KubernetesClient admin = adminClient()) {
      return admin.serviceAccounts().inNamespace(namespace).withName(serviceAccount)
          .tokenRequest(request).getStatus().getToken();
    }
  }

  /**
   * A client configuration that talks as the ServiceAccount: a one-hour token from TokenRequest,
   * renewed once 80 % of its lifetime has passed (the kubelet's rule for projected tokens), so a
   * long-running worker keeps its identity.
   */
  public Config serviceAccountConfig(String namespace, String serviceAccount) {
    Duration ttl = Duration.ofHours(1);
    String first = serviceAccountToken(namespace, serviceAccount, ttl);
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(url())
        .withCaCertData(base64(pki.ca().certificatePem()))
        .withOauthToken(first)
        .withOauthTokenProvider(new RotatingToken(first, ttl,
            () -> serviceAccountToken(namespace, serviceAccount, ttl)))
        .withNamespace(namespace)
        .build();
  }

  /** A token that is fetched again at 80 % of its lifetime; a failed renewal keeps the old one. */
  private static final class RotatingToken implements io.fabric8.kubernetes.client.OAuthTokenProvider {
    private final Duration ttl;
    private final java.util.function.Supplier<String> fetch;
    private String token;
    private Instant renewAt;

    RotatingToken(String first, Duration ttl, java.util.function.Supplier<String> fetch) {
      this.ttl = ttl;
      this.fetch = fetch;
      this.token = first;
      this.renewAt = Instant.now().plus(ttl.multipliedBy(8).dividedBy(10));
    }

    @Override
    public synchronized String getToken() {
      if (Instant.now().isAfter(renewAt)) {
        try {
          token = fetch.get();
          renewAt = Instant.now().plus(ttl.multipliedBy(8).dividedBy(10));
        } catch (RuntimeException e) {
          // The API server is away: the old token is valid for a fifth of its lifetime still.
          log.warn("ServiceAccount token renewal failed, keeping the current one: {}", e.getMessage());
        }
      }
      return token;
    }
  }

  /** A new client as the ServiceAccount; the caller closes it. */
  public KubernetesClient serviceAccountClient(String namespace, String serviceAccount) {
    return new KubernetesClientBuilder().withConfig(serviceAccountConfig(namespace, serviceAccount)).build();
  }

  /**
   * Writes a kubeconfig under the data directory with a client certificate for {@code user} in
   * {@code groups} (e.g. {@code system:node:NAME} in {@code system:nodes} for a node agent).
   */
  public Path writeKubeconfig(String fileName, String user, List<String> groups) {
    KubePki.Issued client = pki.client(user, groups);
    io.fabric8.kubernetes.api.model.Config config = new io.fabric8.kubernetes.api.model.ConfigBuilder()
        .withApiVersion("v1").withKind("Config")
        .addToClusters(new NamedClusterBuilder().withName("fineflow").withNewCluster()
            .withServer(url()).withCertificateAuthorityData(base64(pki.ca().certificatePem()))
            .endCluster().build())
        .addToUsers(new NamedAuthInfoBuilder().withName(user).withNewUser()
            .withClientCertificateData(base64(client.certificatePem()))
            .withClientKeyData(base64(client.privateKeyPem())).endUser().build())
        .addToContexts(new NamedContextBuilder().withName("fineflow").withNewContext()
            .withCluster("fineflow").withUser(user).endContext().build())
        .withCurrentContext("fineflow")
        .build();
    return writeSecret(dataDir.resolve(fileName), Serialization.asYaml(config));
  }

  /** Stops the processes, newest first: SIGTERM, then SIGKILL after a grace period. */
  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // Called from the hook itself, or the JVM is exiting anyway.
    }
  }

  private synchronized void stopAll() {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).stop();
    }
    started.clear();
  }

  private Component run(String name, URI health, String... command) throws IOException {
    Component component = new Component(name, launch(name, List.of(command)), log(name), List.of(command), health);
    started.add(component);
    return component;
  }

  private Process launch(String name, List<String> command) throws IOException {
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log(name).toFile()))
        .start();
  }

  /**
   * Stops one process (SIGTERM, as a rolling upgrade or a crash-restart would), keeps it down for
   * {@code down}, then starts it again with the same flags and ports and waits until it is ready:
   * clients see the outage a control-plane restart causes, then the same cluster again (etcd
   * keeps its data directory).
   *
   * @param name {@code etcd}, {@code kube-apiserver}, {@code kube-controller-manager} or {@code kube-scheduler}
   */
  public synchronized void restart(String name, Duration down) throws IOException {
    int index = -1;
    for (int i = 0; i < started.size(); i++) {
      if (started.get(i).name().equals(name)) {
        index = i;
      }
    }
    if (index < 0) {
      throw new IllegalArgumentException("no control-plane process named " + name);
    }
    Component old = started.get(index);
    old.stop();
    try {
      Thread.sleep(down.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + name + " was down", e);
    }
    Component fresh = new Component(name, launch(name, old.command()), old.logFile(), old.command(), old.health());
    started.set(index, fresh);
    fresh.awaitReady(httpClient());
    log.info("{} restarted after {} ms down", name, down.toMillis());
  }

  /**
   * What a node agent needs to join this cluster as node {@code nodeName}: a kubeconfig whose
   * client certificate is {@code system:node:NAME} in group {@code system:nodes} (so the Node
   * authorizer and NodeRestriction apply to it, as to a kubelet), a serving certificate for its
   * kubelet endpoint on 127.0.0.1, and the CA of the API server's kubelet client certificate.
   */
  public NodeCredentials nodeCredentials(String nodeName) {
    Path kubeconfig = writeKubeconfig("node-" + nodeName + ".kubeconfig", "system:node:" + nodeName,
        List.of("system:nodes"));
    KubePki.Issued serving = pki.serving(List.of(nodeName, "localhost"), List.of("127.0.0.1"));
    return new NodeCredentials(nodeName, kubeconfig, serving, pki.ca().certificate());
  }

  private HttpClient httpClient() {
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      trust.setCertificateEntry("fineflow-ca", pki.ca().certificate());
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, tmf.getTrustManagers(), null);
      // HTTP/1.1: JDK 17's HTTP/2 client keeps using a connection after the server's GOAWAY
      // (which a starting API server sends), and every later probe fails on it.
      return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
          .connectTimeout(Duration.ofSeconds(2)).build();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a TLS client trusting the control plane's CA", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static Path write(Path file, String text) {
    try {
      return Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Private keys and kubeconfigs: readable by the owner only. */
  private static Path writeSecret(Path file, String text) {
    write(file, text);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException | IOException notPosix) {
      // Not a POSIX file system: the data directory's own permissions protect it.
    }
    return file;
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** One started process and its log. */
  private record Component(String name, Process process, Path logFile, List<String> command, URI health) {
    void awaitReady(HttpClient http) {
      Instant deadline = Instant.now().plus(READY_TIMEOUT);
      String last = "no answer yet";
      while (Instant.now().isBefore(deadline)) {
        if (!process.isAlive()) {
          throw new IllegalStateException(name + " exited with code " + process.exitValue()
              + " before it was ready; last lines of " + logFile + ":\n" + tail());
        }
        try {
          HttpResponse<String> response = http.send(HttpRequest.newBuilder(health)
              .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() == 200) {
            return;
          }
          last = response.statusCode() + " " + response.body();
        } catch (IOException e) {
          last = e.toString();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
      }
      throw new IllegalStateException(name + " was not ready within " + READY_TIMEOUT.toSeconds()
          + " s (" + health + ": " + last + "); last lines of " + logFile + ":\n" + tail());
    }

    void stop() {
      process.destroy();
      try {
        if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          log.warn("{} did not stop within {} s of SIGTERM; killing it", name, STOP_GRACE.toSeconds());
          process.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }

    String tail() {
      try {
        List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
      } catch (IOException e) {
        return "(log unreadable: " + e.getMessage() + ")";
      }
    }
  }
}
