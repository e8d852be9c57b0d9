package dev.freshet.cluster.processes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Kubernetes API server in this JVM (fabric8's {@code kubernetes-server-mock}, over HTTPS with
 * its own certificate) holding the pods of the nodes, as the API server of a real cluster would for
 * the Deployment in {@code k8s/}: labelled {@code app=freshet}, Running, with the pod's IP and the
 * container port named {@code management}. Nodes started with {@link #nodeEnvironment()} and {@link
 * #nodeJvmOptions()} find each other through {@code pekko-discovery-kubernetes-api} as in-cluster
 * pods do (service host and port from the environment, CA certificate, token and namespace from
 * files).
 */
final class KubernetesApi implements AutoCloseable {

  static final String NAMESPACE = "freshet-test";

  private final KubernetesMockServer server;
  private final List<Pod> pods = new CopyOnWriteArrayList<>();
  private final AtomicInteger podLists = new AtomicInteger();
  private final Path token;

  KubernetesApi(Path dir) {
    server = new KubernetesMockServer(true);
    try {
      server.init(InetAddress.getByName("127.0.0.1"), 0);
      Files.createDirectories(dir);
      token = dir.resolve("token");
      Files.writeString(token, "freshet-test-service-account-token");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // the pods the nodes' discovery asks for: pekko-discovery-kubernetes-api's query with the
    // selector app=freshet, answered as a real API server does (JSON, the pods of the moment)
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces/" + NAMESPACE + "/pods?labelSelector=app%3Dfreshet")
        .andReply(
            200,
            request -> {
              podLists.incrementAndGet();
              return new PodListBuilder()
                  .withNewMetadata()
                  .withResourceVersion(String.valueOf(pods.size()))
                  .endMetadata()
                  .withItems(pods)
                  .build();
            })
        .withHeader("Content-Type", "application/json")
        .always();
  }

  /** Adds the pod of {@code node}, Running on 127.0.0.1 with its management port. */
  void addPod(NodeProcess node) {
    pods.add(
        new PodBuilder()
            .withNewMetadata()
            .withName(node.name)
            .withNamespace(NAMESPACE)
            .withUid(UUID.randomUUID().toString())
            .withLabels(Map.of("app", "freshet", "app.kubernetes.io/name", "freshet"))
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("freshet")
            .withImage("freshet:test")
            .addNewPort()
            .withName("http")
            .withContainerPort(node.ports.http())
            .endPort()
            .addNewPort()
            .withName("management")
            .withContainerPort(node.ports.management())
            .endPort()
            .addNewPort()
            .withName("remoting")
            .withContainerPort(node.ports.remote())
            .endPort()
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .withPodIP("127.0.0.1")
            .endStatus()
            .build());
  }

  /** The pods the API server lists under the nodes' selector. */
  List<Pod> pods() {
    return List.copyOf(pods);
  }

  /** What an in-cluster pod finds in its environment. */
  Map<String, String> nodeEnvironment() {
    return Map.of(
        "FRESHET_DISCOVERY", "kubernetes-api",
        "KUBERNETES_SERVICE_HOST", server.getHostName(),
        "KUBERNETES_SERVICE_PORT", String.valueOf(server.getPort()));
  }

  /**
   * What an in-cluster pod finds in its service account's files (the CA certificate, the token, the
   * namespace), given to the node where Pekko's discovery looks for them.
   */
  List<String> nodeJvmOptions() {
    return List.of(
        "-Dpekko.discovery.kubernetes-api.api-ca-path="
            + server.getSelfSignedCertificate().certificatePath(),
        "-Dpekko.discovery.kubernetes-api.api-token-path=" + token,
        "-Dpekko.discovery.kubernetes-api.pod-namespace=" + NAMESPACE);
  }

  /** How many times the nodes' discovery has listed the pods. */
  int podLists() {
    return podLists.get();
  }

  @Override
  public void close() {
    server.destroy();
  }
}
