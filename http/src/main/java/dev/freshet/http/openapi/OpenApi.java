package dev.freshet.http.openapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.http.api.ApiJson;
import dev.freshet.http.edge.Endpoint;
import dev.freshet.http.edge.Scope;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * The OpenAPI 3.0 document of the edge. Which operations exist, their paths, path parameters,
 * scopes and summaries come from {@link Endpoints} (the table the edge admits requests by); what
 * each one takes and answers comes from the hand-written {@value #RESOURCE}, keyed by {@code
 * "METHOD /template"}. The two must describe the same set of operations: any difference fails
 * construction, so a route added to the table without documentation (or documentation left behind
 * for a removed route) stops every node, and so every test, from starting.
 */
public final class OpenApi {

  static final String RESOURCE = "/openapi/operations.json";
  static final String VERSION = "3.0.3";
  static final String SECURITY_SCHEME = "apiKey";

  /** The scope an operation needs, for clients and tools that read extensions. */
  static final String SCOPE_EXTENSION = "x-freshet-scope";

  private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}/]+)}");
  private static final Set<String> RESOURCE_KEYS =
      Set.of("info", "tags", "operations", "components");

  /** Owned by the table or by this class: an entry setting them would contradict the table. */
  private static final Set<String> GENERATED_KEYS = Set.of("summary", "security", SCOPE_EXTENSION);

  /** Readers look for these first; whatever else an entry has follows in its own order. */
  private static final List<String> OPERATION_ORDER =
      List.of(
          "summary",
          "operationId",
          "tags",
          "description",
          SCOPE_EXTENSION,
          "security",
          "parameters",
          "requestBody",
          "responses");

  private final ObjectNode document;
  private final byte[] bytes;

  /**
   * The document of {@code endpoints} with the operations of {@value #RESOURCE} on the class path.
   */
  public static OpenApi of(List<Endpoint> endpoints) {
    ObjectMapper mapper = ApiJson.mapper();
    try (InputStream in = OpenApi.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException(RESOURCE + " is not on the class path");
      return new OpenApi(endpoints, mapper.readTree(in), mapper);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + RESOURCE, e);
    }
  }

  OpenApi(List<Endpoint> endpoints, JsonNode operations, ObjectMapper mapper) {
    this.document = build(endpoints, operations, mapper);
    try {
      this.bytes = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(document);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("OpenAPI document not serializable", e);
    }
  }

  /** A copy of the document. */
  public ObjectNode document() {
    return document.deepCopy();
  }

  public HttpResponse response() {
    return HttpResponse.create()
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, bytes));
  }

  // ---- building --------------------------------------------------------------------------------

  private static ObjectNode build(
      List<Endpoint> endpoints, JsonNode resource, ObjectMapper mapper) {
    if (resource == null || !resource.isObject()) fail("it must be a JSON object");
    resource
        .fieldNames()
        .forEachRemaining(
            k -> {
              if (!RESOURCE_KEYS.contains(k))
                fail("unknown top-level key '" + k + "' (allowed: " + RESOURCE_KEYS + ")");
            });
    JsonNode operations = required(resource, "operations", "");
    JsonNode components = required(resource, "components", "");
    matchTable(endpoints, operations);

    ObjectNode doc = mapper.createObjectNode();
    doc.put("openapi", VERSION);
    doc.set("info", required(resource, "info", "").deepCopy());
    if (resource.has("tags")) doc.set("tags", resource.get("tags").deepCopy());
    ObjectNode paths = doc.putObject("paths");
    ObjectNode allComponents = components.deepCopy();
    if (allComponents.has("securitySchemes"))
      fail("components.securitySchemes comes from this class, not the resource");
    allComponents
        .putObject("securitySchemes")
        .putObject(SECURITY_SCHEME)
        .put("type", "http")
        .put("scheme", "bearer")
        .put("bearerFormat", "API key")
        .put(
            "description",
            "An API key: `Authorization: Bearer <key>`. Its scopes (ingest, rank, admin, internal) decide what it may do;"
                + " each operation names the scope it needs in "
                + SCOPE_EXTENSION
                + ".");

    Set<String> operationIds = new HashSet<>();
    for (Endpoint endpoint : endpoints) {
      String key = key(endpoint);
      ObjectNode operation =
          operation(endpoint, (ObjectNode) operations.get(key), allComponents, mapper);
      String id = operation.path("operationId").asText("");
      if (id.isEmpty()) fail(key + " has no operationId");
      if (!operationIds.add(id)) fail("operationId '" + id + "' is used twice");
      ObjectNode pathItem =
          paths.has(endpoint.template())
              ? (ObjectNode) paths.get(endpoint.template())
              : paths.putObject(endpoint.template());
      pathItem.set(endpoint.method().toLowerCase(Locale.ROOT), operation);
    }
    doc.set("components", allComponents);
    checkReferences(doc, doc, "#");
    return doc;
  }

  /** The table and the resource name the same operations, each once. */
  private static void matchTable(List<Endpoint> endpoints, JsonNode operations) {
    if (!operations.isObject()) fail("'operations' must be an object");
    Set<String> documented = new LinkedHashSet<>();
    operations.fieldNames().forEachRemaining(documented::add);
    Set<String> table = new LinkedHashSet<>();
    List<String> problems = new ArrayList<>();
    for (Endpoint e : endpoints) {
      if (!table.add(key(e))) problems.add("Endpoints lists " + key(e) + " twice");
      if (!documented.contains(key(e)))
        problems.add(key(e) + " is in Endpoints but has no entry: document it");
    }
    for (String d : documented) {
      if (!table.contains(d))
        problems.add("'" + d + "' is documented but not in Endpoints: no such route");
      else if (!operations.get(d).isObject()) problems.add("'" + d + "' must be an object");
    }
    if (!problems.isEmpty()) fail(String.join("; ", problems));
  }

  private static ObjectNode operation(
      Endpoint endpoint, ObjectNode entry, ObjectNode components, ObjectMapper mapper) {
    String key = key(endpoint);
    for (String generated : GENERATED_KEYS) {
      if (entry.has(generated)) fail(key + " sets '" + generated + "', which comes from Endpoints");
    }
    ObjectNode op = mapper.createObjectNode();
    op.put("summary", endpoint.summary());
    entry.properties().forEach(f -> op.set(f.getKey(), f.getValue().deepCopy()));
    ArrayNode parameters = parameters(endpoint, entry, components, mapper);
    if (parameters.isEmpty()) op.remove("parameters");
    else op.set("parameters", parameters);

    JsonNode responses = entry.get("responses");
    if (responses == null || !responses.isObject() || responses.isEmpty())
      fail(key + " has no responses");
    ObjectNode ownResponses = (ObjectNode) op.get("responses");
    String access;
    if (endpoint.isPublic()) {
      for (String status : List.of("401", "403")) {
        if (ownResponses.has(status)) fail(key + " is public and cannot answer " + status);
      }
      op.putArray("security");
      access = "Public: no API key needed.";
    } else {
      String scope = endpoint.scope().wireName();
      op.put(SCOPE_EXTENSION, scope);
      op.putArray("security").addObject().putArray(SECURITY_SCHEME);
      // an admin key may do everything, so it is named unless admin is the scope itself
      access =
          endpoint.scope() == Scope.ADMIN
              ? "Needs an API key with scope `admin`."
              : "Needs an API key with scope `" + scope + "` (or `admin`).";
      if (!ownResponses.has("401")) ownResponses.set("401", ref("responses/Unauthorized", mapper));
      if (!ownResponses.has("403")) ownResponses.set("403", ref("responses/Forbidden", mapper));
    }
    String description = entry.path("description").asText("");
    op.put("description", description.isEmpty() ? access : description + "\n\n" + access);
    op.set("responses", byStatus(ownResponses, mapper));
    return ordered(op, mapper);
  }

  private static ObjectNode ordered(ObjectNode op, ObjectMapper mapper) {
    ObjectNode out = mapper.createObjectNode();
    for (String k : OPERATION_ORDER) if (op.has(k)) out.set(k, op.get(k));
    op.properties()
        .forEach(
            f -> {
              if (!out.has(f.getKey())) out.set(f.getKey(), f.getValue());
            });
    return out;
  }

  /**
   * Responses by status code, {@code default} last, so that the 401 and 403 added here fall into
   * place.
   */
  private static ObjectNode byStatus(ObjectNode responses, ObjectMapper mapper) {
    ObjectNode out = mapper.createObjectNode();
    responses.properties().stream()
        .sorted(
            Comparator.comparing((Map.Entry<String, JsonNode> r) -> r.getKey().equals("default"))
                .thenComparing(Map.Entry::getKey))
        .forEach(r -> out.set(r.getKey(), r.getValue()));
    return out;
  }

  /**
   * The entry's parameters, with every path parameter of the template that the entry does not
   * declare itself: {@code #/components/parameters/<name>} when that is a path parameter, otherwise
   * an id. A path parameter the template does not have fails.
   */
  private static ArrayNode parameters(
      Endpoint endpoint, ObjectNode entry, ObjectNode components, ObjectMapper mapper) {
    String key = key(endpoint);
    Set<String> inTemplate = pathParameters(endpoint.template());
    ArrayNode declared =
        entry.has("parameters")
            ? (ArrayNode) entry.get("parameters").deepCopy()
            : mapper.createArrayNode();
    Set<String> declaredPath = new HashSet<>();
    for (JsonNode p : declared) {
      JsonNode resolved = resolveParameter(p, components);
      if (resolved == null)
        fail(key + " has a parameter that is neither a parameter nor a $ref to one: " + p);
      if (!"path".equals(resolved.path("in").asText())) continue;
      String name = resolved.path("name").asText();
      if (!inTemplate.contains(name))
        fail(key + " declares path parameter '" + name + "', which its template lacks");
      if (!resolved.path("required").asBoolean(false))
        fail(key + ": path parameter '" + name + "' must be required");
      declaredPath.add(name);
    }
    ArrayNode all = mapper.createArrayNode();
    for (String name : inTemplate) {
      if (declaredPath.contains(name)) continue;
      JsonNode shared = components.path("parameters").path(name);
      if ("path".equals(shared.path("in").asText()) && name.equals(shared.path("name").asText())) {
        all.add(ref("parameters/" + name, mapper));
      } else {
        ObjectNode p = all.addObject();
        p.put("name", name).put("in", "path").put("required", true);
        p.set("schema", ref("schemas/Id", mapper));
      }
    }
    all.addAll(declared);
    return all;
  }

  private static JsonNode resolveParameter(JsonNode p, ObjectNode components) {
    if (!p.isObject()) return null;
    if (!p.has("$ref")) return p.has("name") && p.has("in") ? p : null;
    String ref = p.get("$ref").asText();
    String prefix = "#/components/parameters/";
    if (!ref.startsWith(prefix)) return null;
    JsonNode target = components.path("parameters").path(ref.substring(prefix.length()));
    return target.isObject() ? target : null;
  }

  /** {@code {name}} segments of a template, in order. */
  static Set<String> pathParameters(String template) {
    Set<String> names = new LinkedHashSet<>();
    Matcher m = PATH_PARAMETER.matcher(template);
    while (m.find()) names.add(m.group(1));
    return names;
  }

  /**
   * Every local {@code $ref} points at something; a typo in the resource fails here, not in a
   * client.
   */
  private static void checkReferences(JsonNode root, JsonNode node, String at) {
    if (node.isObject()) {
      JsonNode ref = node.get("$ref");
      if (ref != null) {
        String target = ref.asText();
        if (!target.startsWith("#/") || root.at(target.substring(1)).isMissingNode()) {
          fail(at + " refers to " + target + ", which does not exist");
        }
      }
      for (Map.Entry<String, JsonNode> f : node.properties()) {
        checkReferences(root, f.getValue(), at + "/" + f.getKey());
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) checkReferences(root, node.get(i), at + "/" + i);
    }
  }

  private static ObjectNode ref(String target, ObjectMapper mapper) {
    return mapper.createObjectNode().put("$ref", "#/components/" + target);
  }

  private static JsonNode required(JsonNode parent, String name, String at) {
    JsonNode node = parent.get(name);
    if (node == null || !node.isObject()) fail("'" + at + name + "' must be an object");
    return node;
  }

  static String key(Endpoint e) {
    return e.method() + " " + e.template();
  }

  private static void fail(String problem) {
    throw new IllegalStateException("OpenAPI document (" + RESOURCE + "): " + problem);
  }
}
