package dev.freshet.cluster.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import dev.freshet.cluster.ClusterFormation;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Kubernetes manifests in {@code k8s/} (base and overlays): every object parses strictly with
 * the fabric8 Kubernetes model, and the objects agree with each other and with the application's
 * configuration (ports, health-check paths, environment variables, Secrets, shutdown time). The
 * overlays are rendered with {@code kubectl kustomize} when kubectl is on the PATH.
 */
class KubernetesManifestsTest {

  /** Maven runs a module's tests in the module directory: the repository is its parent. */
  private static final Path ROOT = findRoot();

  private static final Path K8S = ROOT.resolve("k8s");

  /** The kinds the manifests may use, each with its model class. */
  private static final Map<String, Class<? extends HasMetadata>> KINDS =
      Map.ofEntries(
          Map.entry("v1/ConfigMap", ConfigMap.class),
          Map.entry("v1/Secret", Secret.class),
          Map.entry("v1/Service", Service.class),
          Map.entry("v1/ServiceAccount", ServiceAccount.class),
          Map.entry("v1/Namespace", Namespace.class),
          Map.entry("apps/v1/Deployment", Deployment.class),
          Map.entry("apps/v1/StatefulSet", StatefulSet.class),
          Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
          Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
          Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
          Map.entry("rbac.authorization.k8s.io/v1/Role", Role.class),
          Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class));

  /** Environment variables read by the JVM itself rather than by the application. */
  private static final Set<String> JVM_ENV = Set.of("JAVA_TOOL_OPTIONS");

  /** The Secrets the base references, each with the key its consumers read. */
  private static final Map<String, String> SECRETS =
      Map.of(
          "freshet-db", "password", "freshet-admin-key", "admin-key", "freshet-qdrant", "api-key");

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private static final Config CONFIG = ConfigFactory.load();

  // ---------------------------------------------------------------- parsing

  @Test
  void everyManifestUnderBaseAndOverlaysParsesStrictly() throws IOException {
    List<Path> files = manifestFiles();
    assertThat(files).isNotEmpty();
    int objects = 0;
    for (Path file : files) objects += parseFile(file).size();
    assertThat(objects).isGreaterThanOrEqualTo(16);
  }

  @Test
  void strictParsingRejectsUnknownFieldsAndKinds() {
    String misspelt =
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: x}
        spec:
          replicas: 1
          selector: {matchLabels: {app: x}}
          template:
            metadata: {labels: {app: x}}
            spec:
              containers:
                - name: x
                  image: x
                  imagePullPolcy: Always
        """;
    assertThatThrownBy(() -> parse(misspelt, "misspelt"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("imagePullPolcy");
    String topLevel = "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspecs: {}\n";
    assertThatThrownBy(() -> parse(topLevel, "top level")).hasMessageContaining("specs");
    String unknownKind = "apiVersion: v1\nkind: Servic\nmetadata: {name: x}\n";
    assertThatThrownBy(() -> parse(unknownKind, "kind")).hasMessageContaining("v1/Servic");
    // the same Deployment spelt right parses
    assertThat(parse(misspelt.replace("imagePullPolcy", "imagePullPolicy"), "ok"))
        .singleElement()
        .isInstanceOf(Deployment.class);
  }

  @Test
  void kustomizationsParseAndNameFilesThatExist() throws IOException {
    List<Path> kustomizations;
    try (Stream<Path> s = Files.walk(K8S)) {
      kustomizations =
          s.filter(p -> p.getFileName().toString().equals("kustomization.yaml")).sorted().toList();
    }
    assertThat(kustomizations)
        .contains(
            K8S.resolve("base/kustomization.yaml"),
            K8S.resolve("overlays/dev/kustomization.yaml"),
            K8S.resolve("overlays/prod/kustomization.yaml"));
    Set<String> known =
        Set.of(
            "apiVersion",
            "kind",
            "namespace",
            "bases",
            "resources",
            "images",
            "patchesStrategicMerge",
            "patches",
            "configMapGenerator",
            "secretGenerator",
            "generatorOptions",
            "labels",
            "commonAnnotations");
    for (Path k : kustomizations) {
      Map<String, Object> doc = yamlMap(k);
      Path dir = k.getParent();
      assertThat(doc.keySet()).as(k + " fields").isSubsetOf(known);
      assertThat(doc.get("kind")).as(k.toString()).isEqualTo("Kustomization");
      assertThat(doc.get("apiVersion")).isEqualTo("kustomize.config.k8s.io/v1beta1");
      Set<Path> named = new TreeSet<>();
      List<Object> resources = new ArrayList<>(list(doc.get("bases")));
      resources.addAll(list(doc.get("resources")));
      for (Object r : resources) {
        Path p = dir.resolve((String) r).normalize();
        if (Files.isDirectory(p))
          assertThat(p.resolve("kustomization.yaml")).as(k + ": " + r).isRegularFile();
        else assertThat(p).as(k + ": " + r).isRegularFile();
        named.add(p);
      }
      List<Object> patches = new ArrayList<>(list(doc.get("patchesStrategicMerge")));
      for (Object patch : list(doc.get("patches"))) patches.add(((Map<?, ?>) patch).get("path"));
      for (Object patch : patches) {
        Path p = dir.resolve((String) patch).normalize();
        assertThat(p).as(k + ": patch").isRegularFile();
        named.add(p);
      }
      for (String gen : List.of("configMapGenerator", "secretGenerator"))
        for (Object g : list(doc.get(gen))) {
          Map<?, ?> m = (Map<?, ?>) g;
          assertThat(m.get("name")).as(k + ": " + gen + " name").isNotNull();
          for (Object f : list(m.get("files")))
            assertThat(dir.resolve(String.valueOf(f).replaceFirst("^[^=]*=", ""))).isRegularFile();
        }
      // every manifest beside a kustomization is used by it
      try (Stream<Path> s = Files.list(dir)) {
        for (Path f : s.filter(KubernetesManifestsTest::isYaml).toList())
          if (!f.getFileName().toString().equals("kustomization.yaml"))
            assertThat(named).as(k + " names " + f.getFileName()).contains(f.normalize());
      }
    }
  }

  // ---------------------------------------------------------------- the base

  @Test
  void baseObjectsAgreeWithEachOtherAndTheApplication() throws IOException {
    List<HasMetadata> base = new ArrayList<>();
    Map<String, Object> k = yamlMap(K8S.resolve("base/kustomization.yaml"));
    for (Object r : list(k.get("resources")))
      base.addAll(parseFile(K8S.resolve("base").resolve((String) r)));
    checkObjects(base, "base");
    // Secrets are referenced, never defined, in the base
    assertThat(base).noneMatch(o -> o instanceof Secret);
    assertThat(secretRefs(base)).isEqualTo(SECRETS);
    // a service's pod labelled as a client-library proxy reaches Artery, never management
    NetworkPolicy nodes = byName(base, NetworkPolicy.class).get("freshet");
    assertThat(portsOpenTo(nodes, Map.of("app", "orders", "freshet-cluster-role", "proxy")))
        .containsExactlyInAnyOrder("http", "internal", "remoting");
    assertThat(portsOpenTo(nodes, Map.of("app", "orders")))
        .containsExactlyInAnyOrder("http", "internal");
  }

  /** The named ports {@code policy} opens to a pod of its namespace with {@code labels}. */
  private static List<String> portsOpenTo(NetworkPolicy policy, Map<String, String> labels) {
    return policy.getSpec().getIngress().stream()
        .filter(
            rule ->
                rule.getFrom() == null
                    || rule.getFrom().isEmpty()
                    || rule.getFrom().stream()
                        .anyMatch(
                            peer ->
                                peer.getNamespaceSelector() == null
                                    && peer.getPodSelector() != null
                                    && labels
                                        .entrySet()
                                        .containsAll(
                                            Optional.ofNullable(
                                                    peer.getPodSelector().getMatchLabels())
                                                .orElse(Map.of())
                                                .entrySet())))
        .flatMap(rule -> rule.getPorts().stream())
        .map(port -> port.getPort().getStrVal())
        .toList();
  }

  @Test
  void theDevOverlayGeneratesEveryReferencedSecret() throws IOException {
    Map<String, Object> dev = yamlMap(K8S.resolve("overlays/dev/kustomization.yaml"));
    Map<String, Set<String>> generated = new LinkedHashMap<>();
    for (Object g : list(dev.get("secretGenerator"))) {
      Map<?, ?> m = (Map<?, ?>) g;
      generated.put(
          (String) m.get("name"),
          list(m.get("literals")).stream()
              .map(l -> String.valueOf(l).split("=", 2)[0])
              .collect(Collectors.toSet()));
    }
    SECRETS.forEach(
        (name, key) -> assertThat(generated).as("dev secret " + name).containsKey(name));
    SECRETS.forEach((name, key) -> assertThat(generated.get(name)).contains(key));
  }

  @Test
  void theProdSecretsAreDocumented() throws IOException {
    String readme = Files.readString(K8S.resolve("README.md"));
    Map<String, Object> prod = yamlMap(K8S.resolve("overlays/prod/kustomization.yaml"));
    assertThat(prod).doesNotContainKey("secretGenerator");
    SECRETS.forEach(
        (name, key) ->
            assertThat(readme)
                .as("k8s/README.md documents " + name)
                .contains("create secret generic " + name + " ")
                .contains("--from-literal=" + key + "="));
  }

  // ---------------------------------------------------------------- the rendered overlays

  @Test
  void theDevOverlayRendersToConsistentObjects() throws Exception {
    List<HasMetadata> dev = render("overlays/dev");
    checkObjects(dev, "dev");
    // every Secret the dev objects reference is generated, with the key read
    Map<String, Secret> secrets = byName(dev, Secret.class);
    for (Map.Entry<String, String> ref : secretRefsWithNames(dev)) {
      assertThat(secrets).as("dev: Secret " + ref.getKey()).containsKey(ref.getKey());
      assertThat(secrets.get(ref.getKey()).getData()).containsKey(ref.getValue());
    }
  }

  @Test
  void theProdOverlayRendersToConsistentObjects() throws Exception {
    List<HasMetadata> prod = render("overlays/prod");
    checkObjects(prod, "prod");
    assertThat(prod).noneMatch(o -> o instanceof Secret);
    assertThat(secretRefs(prod)).isEqualTo(SECRETS);
    Deployment freshet = byName(prod, Deployment.class).get("freshet");
    assertThat(freshetContainer(freshet).getImage()).doesNotEndWith(":latest");
    // three nodes at least, so that the split-brain resolver's majority survives the loss of one
    HorizontalPodAutoscaler hpa = byName(prod, HorizontalPodAutoscaler.class).get("freshet");
    assertThat(hpa.getSpec().getMinReplicas()).as("prod HPA minReplicas").isGreaterThanOrEqualTo(3);
    assertThat(freshet.getSpec().getReplicas()).as("prod replicas").isGreaterThanOrEqualTo(3);
    assertThat(nodeSettings(prod).get("FRESHET_REQUIRED_CONTACT_POINTS")).isEqualTo("2");
  }

  // ---------------------------------------------------------------- checks

  private static void checkObjects(List<HasMetadata> objects, String set) {
    Map<String, Deployment> deployments = byName(objects, Deployment.class);
    Map<String, StatefulSet> statefulSets = byName(objects, StatefulSet.class);
    Map<String, PodTemplateSpec> templates = new LinkedHashMap<>();
    deployments.forEach(
        (name, d) -> {
          assertSelects(d.getSpec().getSelector(), d.getSpec().getTemplate(), set + " " + name);
          templates.put(name, d.getSpec().getTemplate());
        });
    statefulSets.forEach(
        (name, s) -> {
          assertSelects(s.getSpec().getSelector(), s.getSpec().getTemplate(), set + " " + name);
          assertThat(byName(objects, Service.class)).containsKey(s.getSpec().getServiceName());
          templates.put(name, s.getSpec().getTemplate());
        });
    assertThat(templates).containsKeys("freshet", "freshet-postgres", "freshet-qdrant");

    // every container asks for CPU and memory and is limited in memory
    templates.forEach(
        (name, t) -> {
          for (Container c : t.getSpec().getContainers()) {
            assertThat(c.getResources().getRequests())
                .as(set + " " + name)
                .containsKeys("cpu", "memory");
            assertThat(c.getResources().getLimits()).as(set + " " + name).containsKey("memory");
          }
        });

    // Services select the pods of one workload and target ports those pods have
    for (Service svc : byName(objects, Service.class).values()) {
      String where = set + " Service " + svc.getMetadata().getName();
      Map<String, String> selector = svc.getSpec().getSelector();
      assertThat(selector).as(where).isNotEmpty();
      List<PodTemplateSpec> selected =
          templates.values().stream().filter(t -> matches(selector, t)).toList();
      assertThat(selected).as(where + " selects one workload").hasSize(1);
      for (ServicePort port : svc.getSpec().getPorts())
        containerPort(selected.get(0), port.getTargetPort(), where);
    }
    for (PodDisruptionBudget pdb : byName(objects, PodDisruptionBudget.class).values())
      assertThat(templates.values())
          .as(set + " PDB " + pdb.getMetadata().getName())
          .anyMatch(t -> matches(pdb.getSpec().getSelector().getMatchLabels(), t));
    for (NetworkPolicy np : byName(objects, NetworkPolicy.class).values())
      assertThat(templates.values())
          .as(set + " NetworkPolicy " + np.getMetadata().getName())
          .anyMatch(t -> matches(np.getSpec().getPodSelector().getMatchLabels(), t));
    for (HorizontalPodAutoscaler hpa : byName(objects, HorizontalPodAutoscaler.class).values()) {
      assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
      assertThat(deployments).containsKey(hpa.getSpec().getScaleTargetRef().getName());
      assertThat(hpa.getSpec().getMinReplicas())
          .isLessThanOrEqualTo(hpa.getSpec().getMaxReplicas());
    }

    // the Freshet node
    Deployment freshet = deployments.get("freshet");
    PodTemplateSpec pod = freshet.getSpec().getTemplate();
    Container node = freshetContainer(freshet);
    int httpPort = CONFIG.getInt("freshet.http.port");
    int internalPort = CONFIG.getInt("freshet.http.internal.port");
    int managementPort = CONFIG.getInt("pekko.management.http.port");
    int remotingPort = CONFIG.getInt("pekko.remote.artery.canonical.port");
    assertThat(node.getPorts().stream().map(ContainerPort::getContainerPort))
        .containsExactlyInAnyOrder(httpPort, internalPort, managementPort, remotingPort);
    assertProbe(node.getReadinessProbe(), healthPath("readiness-path"), managementPort, pod, set);
    assertProbe(node.getLivenessProbe(), healthPath("liveness-path"), managementPort, pod, set);
    if (node.getStartupProbe() != null)
      assertProbe(node.getStartupProbe(), healthPath("liveness-path"), managementPort, pod, set);

    Service http = byName(objects, Service.class).get("freshet");
    assertThat(http.getSpec().getPorts()).as(set + ": only the HTTP port is public").hasSize(1);
    assertThat(containerPort(pod, http.getSpec().getPorts().get(0).getTargetPort(), set))
        .isEqualTo(httpPort);
    // the internal API has a Service of its own, inside the cluster only
    Service internal = byName(objects, Service.class).get("freshet-internal");
    assertThat(internal).as(set + ": the internal API's Service").isNotNull();
    assertThat(internal.getSpec().getType()).isIn(null, "ClusterIP");
    assertThat(internal.getSpec().getClusterIP()).isNotEqualTo("None");
    assertThat(internal.getSpec().getPorts())
        .singleElement()
        .satisfies(
            p -> assertThat(containerPort(pod, p.getTargetPort(), set)).isEqualTo(internalPort));
    Service management = byName(objects, Service.class).get("freshet-management");
    assertThat(management.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(management.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(management.getSpec().getPorts())
        .singleElement()
        .satisfies(
            p -> assertThat(containerPort(pod, p.getTargetPort(), set)).isEqualTo(managementPort));

    // every environment variable set on the node is one the application (or the JVM) reads
    Set<String> env = new TreeSet<>();
    for (EnvVar e : node.getEnv()) env.add(e.getName());
    Map<String, ConfigMap> configMaps = byName(objects, ConfigMap.class);
    for (EnvFromSource from : node.getEnvFrom()) {
      assertThat(from.getSecretRef()).as(set + ": secrets by key only").isNull();
      ConfigMap cm = configMaps.get(from.getConfigMapRef().getName());
      assertThat(cm).as(set + ": ConfigMap " + from.getConfigMapRef().getName()).isNotNull();
      env.addAll(cm.getData().keySet());
    }
    Set<String> read = new TreeSet<>(applicationEnv());
    read.addAll(JVM_ENV);
    assertThat(read).as(set + ": variables the application reads").containsAll(env);
    String jvm =
        node.getEnv().stream()
            .filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS"))
            .map(EnvVar::getValue)
            .findFirst()
            .orElse("");
    assertThat(jvm).contains("-XX:MaxRAMPercentage=");
    assertThat(jvm).doesNotContain("-Xmx");

    // the node's PostgreSQL and Qdrant addresses are Services of this set, on ports their pods have
    Map<String, String> settings = nodeSettings(objects);
    assertBootstrap(objects, set);
    assertThat(settings).containsKeys("FRESHET_DB_URL", "FRESHET_DB_USER", "FRESHET_QDRANT_URL");
    assertServiceAddress(
        URI.create(settings.get("FRESHET_DB_URL").replaceFirst("^jdbc:", "")), objects, templates);
    assertServiceAddress(URI.create(settings.get("FRESHET_QDRANT_URL")), objects, templates);
    Container postgres =
        statefulSets
            .get("freshet-postgres")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(postgres.getEnv())
        .anyMatch(
            e ->
                e.getName().equals("POSTGRES_USER")
                    && e.getValue().equals(settings.get("FRESHET_DB_USER")));

    // time enough for the preStop pause and then every coordinated-shutdown phase
    long preStop =
        node.getLifecycle().getPreStop().getSleep() == null
            ? 0
            : node.getLifecycle().getPreStop().getSleep().getSeconds();
    assertThat(preStop).as(set + ": preStop pause").isPositive();
    long drain = coordinatedShutdownSeconds();
    assertThat(pod.getSpec().getTerminationGracePeriodSeconds())
        .as(
            set + ": terminationGracePeriodSeconds > preStop %d s + coordinated shutdown %d s",
            preStop,
            drain)
        .isGreaterThan(preStop + drain);

    // discovery may read pods
    Role role = byName(objects, Role.class).get("freshet-pod-reader");
    assertThat(role.getRules())
        .anySatisfy(
            (PolicyRule r) -> {
              assertThat(r.getResources()).contains("pods");
              assertThat(r.getVerbs()).contains("get", "watch", "list");
            });
    RoleBinding binding = byName(objects, RoleBinding.class).get("freshet-pod-reader");
    assertThat(binding.getSubjects())
        .anyMatch(
            s ->
                s.getKind().equals("ServiceAccount")
                    && s.getName().equals(pod.getSpec().getServiceAccountName()));
    assertThat(byName(objects, ServiceAccount.class))
        .containsKey(pod.getSpec().getServiceAccountName());
  }

  /** {@code uri}'s host is a Service of {@code objects} whose port leads to its pods' port. */
  private static void assertServiceAddress(
      URI uri, List<HasMetadata> objects, Map<String, PodTemplateSpec> templates) {
    Service svc = byName(objects, Service.class).get(uri.getHost());
    assertThat(svc).as("Service " + uri.getHost() + " of " + uri).isNotNull();
    ServicePort port =
        svc.getSpec().getPorts().stream()
            .filter(p -> p.getPort() == uri.getPort())
            .findFirst()
            .orElseThrow(() -> new AssertionError(uri + ": no such port on " + uri.getHost()));
    PodTemplateSpec pods =
        templates.values().stream()
            .filter(t -> matches(svc.getSpec().getSelector(), t))
            .findFirst()
            .orElseThrow();
    containerPort(pods, port.getTargetPort(), uri.toString());
  }

  private static void assertSelects(
      LabelSelector selector, PodTemplateSpec template, String where) {
    assertThat(selector.getMatchExpressions()).as(where).isNullOrEmpty();
    assertThat(selector.getMatchLabels()).as(where).isNotEmpty();
    assertThat(matches(selector.getMatchLabels(), template))
        .as(where + " selects its pods")
        .isTrue();
  }

  private static boolean matches(Map<String, String> selector, PodTemplateSpec template) {
    Map<String, String> labels = template.getMetadata().getLabels();
    return selector != null
        && !selector.isEmpty()
        && labels != null
        && labels.entrySet().containsAll(selector.entrySet());
  }

  private static void assertProbe(
      Probe probe, String path, int port, PodTemplateSpec pod, String where) {
    assertThat(probe).as(where).isNotNull();
    HTTPGetAction get = probe.getHttpGet();
    assertThat(get).as(where + ": HTTP probe").isNotNull();
    assertThat(get.getPath()).as(where + ": probe path").isEqualTo(path);
    assertThat(containerPort(pod, get.getPort(), where)).as(where + ": probe port").isEqualTo(port);
  }

  /** The number of the container port {@code port} names, or {@code port} if it is a number. */
  private static int containerPort(PodTemplateSpec pod, IntOrString port, String where) {
    List<ContainerPort> ports =
        pod.getSpec().getContainers().stream().flatMap(c -> c.getPorts().stream()).toList();
    if (port.getIntVal() != null) {
      assertThat(ports.stream().map(ContainerPort::getContainerPort))
          .as(where + ": port " + port.getIntVal())
          .contains(port.getIntVal());
      return port.getIntVal();
    }
    return ports.stream()
        .filter(p -> Objects.equals(p.getName(), port.getStrVal()))
        .map(ContainerPort::getContainerPort)
        .findFirst()
        .orElseThrow(() -> new AssertionError(where + ": no container port " + port.getStrVal()));
  }

  /** Pekko Management's route of a health check: base-path, then the check's path. */
  private static String healthPath(String which) {
    String base = CONFIG.getString("pekko.management.http.base-path");
    String path = CONFIG.getString("pekko.management.health-checks." + which);
    return "/" + (base.isEmpty() ? "" : base + "/") + path;
  }

  /** The longest coordinated shutdown: every phase taking its whole timeout. */
  private static long coordinatedShutdownSeconds() {
    Config phases = CONFIG.getConfig("pekko.coordinated-shutdown.phases");
    Duration fallback = CONFIG.getDuration("pekko.coordinated-shutdown.default-phase-timeout");
    Duration total = Duration.ZERO;
    for (Map.Entry<String, ConfigValue> phase : phases.root().entrySet()) {
      Config c = phases.getConfig("\"" + phase.getKey() + "\"");
      total = total.plus(c.hasPath("timeout") ? c.getDuration("timeout") : fallback);
    }
    return (total.toMillis() + 999) / 1000;
  }

  private static Container freshetContainer(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> c.getName().equals("freshet"))
        .findFirst()
        .orElseThrow();
  }

  private static Map<String, String> secretRefs(List<HasMetadata> objects) {
    Map<String, String> refs = new TreeMap<>();
    for (Map.Entry<String, String> e : secretRefsWithNames(objects))
      refs.put(e.getKey(), e.getValue());
    return refs;
  }

  private static List<Map.Entry<String, String>> secretRefsWithNames(List<HasMetadata> objects) {
    List<Map.Entry<String, String>> refs = new ArrayList<>();
    for (HasMetadata o : objects) {
      PodTemplateSpec t =
          o instanceof Deployment d
              ? d.getSpec().getTemplate()
              : o instanceof StatefulSet s ? s.getSpec().getTemplate() : null;
      if (t == null) continue;
      for (Container c : t.getSpec().getContainers())
        for (EnvVar e : c.getEnv())
          if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
            refs.add(
                Map.entry(
                    e.getValueFrom().getSecretKeyRef().getName(),
                    e.getValueFrom().getSecretKeyRef().getKey()));
    }
    return refs;
  }

  /**
   * Cluster Bootstrap finds the nodes as pekko-discovery-kubernetes-api does: pods labelled with
   * its selector (app=%s, %s the service name ClusterFormation gives), their management port by the
   * name ClusterFormation gives, listed with the pod-reader Role; never more pods required than
   * run.
   */
  private static void assertBootstrap(List<HasMetadata> objects, String set) {
    Map<String, String> settings = nodeSettings(objects);
    Config formation =
        ClusterFormation.fromConfig(
                ConfigFactory.parseMap(
                        Map.of(
                            "freshet.cluster.discovery", settings.get("FRESHET_DISCOVERY"),
                            "freshet.cluster.required-contact-points",
                                settings.get("FRESHET_REQUIRED_CONTACT_POINTS")))
                    .withFallback(CONFIG))
            .pekkoConfig()
            .withFallback(CONFIG);
    String discovery = "pekko.management.cluster.bootstrap.contact-point-discovery.";
    assertThat(formation.getString(discovery + "discovery-method"))
        .as(set + ": FRESHET_DISCOVERY")
        .isEqualTo("kubernetes-api");
    String[] selector =
        String.format(
                formation.getString("pekko.discovery.kubernetes-api.pod-label-selector"),
                formation.getString(discovery + "service-name"))
            .split("=");
    Deployment freshet = byName(objects, Deployment.class).get("freshet");
    assertThat(freshet.getSpec().getTemplate().getMetadata().getLabels())
        .as(set + ": pod labels the discovery selects")
        .containsEntry(selector[0], selector[1]);
    assertThat(freshetContainer(freshet).getPorts())
        .as(set + ": the port the bootstrap probes")
        .anyMatch(
            p ->
                p.getName().equals(formation.getString(discovery + "port-name"))
                    && p.getContainerPort() == CONFIG.getInt("pekko.management.http.port"));
    int required = formation.getInt(discovery + "required-contact-point-nr");
    assertThat(required).as(set + ": required contact points").isPositive();
    assertThat(required).isLessThanOrEqualTo(freshet.getSpec().getReplicas());
    for (HorizontalPodAutoscaler hpa : byName(objects, HorizontalPodAutoscaler.class).values())
      assertThat(required).isLessThanOrEqualTo(hpa.getSpec().getMinReplicas());
    Role role = byName(objects, Role.class).get("freshet-pod-reader");
    assertThat(role.getRules())
        .as(set + ": the nodes may list pods")
        .anyMatch(r -> r.getResources().contains("pods") && r.getVerbs().contains("list"));
  }

  /** The settings the Freshet node gets from its ConfigMaps. */
  private static Map<String, String> nodeSettings(List<HasMetadata> objects) {
    Map<String, ConfigMap> configMaps = byName(objects, ConfigMap.class);
    Map<String, String> settings = new TreeMap<>();
    for (EnvFromSource from :
        freshetContainer(byName(objects, Deployment.class).get("freshet")).getEnvFrom())
      settings.putAll(configMaps.get(from.getConfigMapRef().getName()).getData());
    return settings;
  }

  // ---------------------------------------------------------------- what the application reads

  /**
   * The environment variables the node's modules read: {@code ${?NAME}} in their .conf files and
   * {@code getenv("NAME")} / {@code env.get(NAME)} in their Java sources.
   */
  static Set<String> applicationEnv() {
    Set<String> names = new TreeSet<>();
    Pattern substitution = Pattern.compile("\\$\\{\\?([A-Za-z_][A-Za-z0-9_]*)}");
    Pattern getenv =
        Pattern.compile(
            "(?:getenv|env\\.get|env\\.getOrDefault|env\\.containsKey)\\(\\s*(\"[A-Za-z0-9_]+\"|[A-Z][A-Z0-9_]*)");
    Pattern constant =
        Pattern.compile("static final String ([A-Z][A-Z0-9_]*)\\s*=\\s*\"([A-Za-z0-9_]+)\"");
    for (String module : nodeModules()) {
      Path main = ROOT.resolve(module).resolve("src/main");
      for (Path f : walk(main.resolve("resources"), ".conf"))
        find(substitution, read(f)).forEach(m -> names.add(m.group(1)));
      for (Path f : walk(main.resolve("java"), ".java")) {
        String src = read(f);
        Map<String, String> constants = new LinkedHashMap<>();
        find(constant, src).forEach(m -> constants.put(m.group(1), m.group(2)));
        find(getenv, src)
            .forEach(
                m -> {
                  String arg = m.group(1);
                  if (arg.startsWith("\"")) names.add(arg.substring(1, arg.length() - 1));
                  else if (constants.containsKey(arg)) names.add(constants.get(arg));
                });
      }
    }
    return names;
  }

  /** The cluster module and every Freshet module it depends on, directly or not. */
  private static Set<String> nodeModules() {
    Set<String> modules = new TreeSet<>();
    List<String> todo = new ArrayList<>(List.of("cluster"));
    Pattern dep = Pattern.compile("<artifactId>freshet-([a-z]+)</artifactId>");
    while (!todo.isEmpty()) {
      String m = todo.remove(todo.size() - 1);
      if (!modules.add(m)) continue;
      String pom = read(ROOT.resolve(m).resolve("pom.xml"));
      find(dep, pom)
          .map(x -> x.group(1))
          .filter(d -> !d.equals("parent") && !d.equals(m))
          .forEach(todo::add);
    }
    return modules;
  }

  @Test
  void theApplicationEnvironmentIsFoundInTheSources() {
    assertThat(nodeModules()).contains("cluster", "http", "actors", "persistence", "qdrant");
    assertThat(nodeModules()).doesNotContain("bench");
    assertThat(applicationEnv())
        .contains(
            "FRESHET_DB_URL",
            "FRESHET_DB_PASSWORD",
            "FRESHET_ADMIN_KEY",
            "FRESHET_MANAGEMENT_HOST",
            "FRESHET_QDRANT_API_KEY");
  }

  // ---------------------------------------------------------------- kubectl kustomize

  private static List<HasMetadata> render(String dir) throws Exception {
    Path kubectl = onPath("kubectl");
    if (kubectl == null) {
      if ("true".equalsIgnoreCase(System.getenv("CI")))
        fail("kubectl is not on the PATH under CI=true (.ci/run installs kubernetes-client)");
      Assumptions.abort("kubectl is not on the PATH: the overlays are not rendered");
    }
    Process p =
        new ProcessBuilder(kubectl.toString(), "kustomize", K8S.resolve(dir).toString())
            .redirectError(ProcessBuilder.Redirect.PIPE)
            .start();
    byte[] out;
    byte[] err;
    try (InputStream o = p.getInputStream();
        InputStream e = p.getErrorStream()) {
      out = o.readAllBytes();
      err = e.readAllBytes();
    }
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue())
        .as("kubectl kustomize " + dir + ": " + new String(err, StandardCharsets.UTF_8))
        .isZero();
    List<HasMetadata> objects = parse(new String(out, StandardCharsets.UTF_8), "kustomize " + dir);
    assertThat(objects).as(dir).hasSizeGreaterThanOrEqualTo(16);
    return objects;
  }

  private static Path onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) return null;
    for (String dir : path.split(java.io.File.pathSeparator)) {
      Path p = Path.of(dir).resolve(command);
      if (Files.isExecutable(p)) return p;
    }
    return null;
  }

  // ---------------------------------------------------------------- strict parsing

  private static List<HasMetadata> parseFile(Path file) {
    return parse(read(file), K8S.relativize(file).toString());
  }

  private static List<HasMetadata> parse(String yaml, String where) {
    List<HasMetadata> objects = new ArrayList<>();
    int i = 0;
    for (Object doc : yaml().loadAll(yaml)) {
      i++;
      if (doc == null) continue;
      String at = where + " #" + i;
      if (!(doc instanceof Map<?, ?> map)) throw new AssertionError(at + ": not a mapping");
      String type = map.get("apiVersion") + "/" + map.get("kind");
      Class<? extends HasMetadata> cls = KINDS.get(type);
      if (cls == null) throw new AssertionError(at + ": unexpected kind " + type);
      HasMetadata object;
      try {
        object = MAPPER.convertValue(map, cls);
      } catch (IllegalArgumentException e) {
        throw new AssertionError(at + ": " + e.getMessage(), e);
      }
      List<String> unknown = new ArrayList<>();
      unknownFields(object, type, unknown, new IdentityHashMap<>());
      if (!unknown.isEmpty()) throw new AssertionError(at + ": unknown fields " + unknown);
      objects.add(object);
    }
    return objects;
  }

  /**
   * The model classes keep fields they do not know in {@code additionalProperties} instead of
   * failing: any such field anywhere in the object is an error here.
   */
  private static void unknownFields(
      Object o, String path, List<String> unknown, IdentityHashMap<Object, Boolean> seen) {
    if (o == null || seen.put(o, Boolean.TRUE) != null) return;
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) unknownFields(e, path + "[" + i++ + "]", unknown, seen);
      return;
    }
    if (o instanceof Map<?, ?> m) {
      m.forEach((k, v) -> unknownFields(v, path + "[" + k + "]", unknown, seen));
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.") || o instanceof Quantity) return;
    for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass())
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers())) continue;
        f.setAccessible(true);
        Object v;
        try {
          v = f.get(o);
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
        if (f.getName().equals("additionalProperties") && v instanceof Map<?, ?> extra) {
          extra.keySet().forEach(k -> unknown.add(path + "." + k));
        } else unknownFields(v, path + "." + f.getName(), unknown, seen);
      }
  }

  // ---------------------------------------------------------------- files

  private static Path findRoot() {
    Path cwd = Path.of("").toAbsolutePath();
    for (Path p = cwd; p != null; p = p.getParent())
      if (Files.isDirectory(p.resolve("k8s")) && Files.isRegularFile(p.resolve("cluster/pom.xml")))
        return p;
    throw new IllegalStateException("no repository (k8s/, cluster/pom.xml) at or above " + cwd);
  }

  private static List<Path> manifestFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    for (String dir : List.of("base", "overlays"))
      try (Stream<Path> s = Files.walk(K8S.resolve(dir))) {
        s.filter(KubernetesManifestsTest::isYaml)
            .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
            .sorted()
            .forEach(files::add);
      }
    return files;
  }

  private static boolean isYaml(Path p) {
    String n = p.getFileName().toString();
    return Files.isRegularFile(p) && (n.endsWith(".yaml") || n.endsWith(".yml"));
  }

  private static <T extends HasMetadata> Map<String, T> byName(
      List<HasMetadata> objects, Class<T> cls) {
    Map<String, T> m = new LinkedHashMap<>();
    for (HasMetadata o : objects)
      if (cls.isInstance(o)) m.put(o.getMetadata().getName(), cls.cast(o));
    return m;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yamlMap(Path file) {
    Object doc = yaml().load(read(file));
    assertThat(doc).as(file.toString()).isInstanceOf(Map.class);
    return (Map<String, Object>) doc;
  }

  private static List<?> list(Object o) {
    return o == null ? List.of() : (List<?>) o;
  }

  private static Yaml yaml() {
    return new Yaml(new SafeConstructor(new LoaderOptions()));
  }

  private static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new IllegalStateException(f.toString(), e);
    }
  }

  private static List<Path> walk(Path dir, String suffix) {
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
    } catch (IOException e) {
      throw new IllegalStateException(dir.toString(), e);
    }
  }

  private static Stream<MatchResult> find(Pattern p, String s) {
    return p.matcher(s).results();
  }
}
