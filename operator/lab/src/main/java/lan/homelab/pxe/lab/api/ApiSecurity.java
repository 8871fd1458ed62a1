package lan.homelab.pxe.lab.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingList;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleList;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingList;
import io.fabric8.kubernetes.api.model.rbac.RoleList;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import lan.homelab.pxe.lab.api.ApiCall.Reply;
import lan.homelab.pxe.lab.api.rbac.AccessDecision;
import lan.homelab.pxe.lab.api.rbac.BootstrapPolicy;
import lan.homelab.pxe.lab.api.rbac.RbacPolicy;
import lan.homelab.pxe.lab.api.rbac.RequestAttributes;
import lan.homelab.pxe.lab.api.rbac.UserInfo;

/**
 * The secure mode's gate: bearer-token authentication, RBAC authorization from the Roles and
 * bindings in the store (read again after any RBAC write), the self-reviews answered from the same
 * rules, and a log of every decision.
 */
final class ApiSecurity {
  static final String RBAC_GROUP = "rbac.authorization.k8s.io";
  private static final String RBAC = "/apis/" + RBAC_GROUP + "/v1/";
  private static final String AUTHORIZATION = "/apis/authorization.k8s.io/v1/";
  static final String ADMIN_USER = "lab-admin";

  private record ServiceAccount(String namespace, String name) {}

  /** The policy as read from the store when the RBAC objects were at this generation. */
  private record CachedPolicy(long generation, RbacPolicy policy) {}

  private final MockStore store;
  private final String adminToken = randomToken();
  private final Map<String, ServiceAccount> serviceAccountTokens = new ConcurrentHashMap<>();
  private final Queue<AccessDecision> log = new ConcurrentLinkedQueue<>();
  private final AtomicLong rbacGeneration = new AtomicLong();
  private volatile CachedPolicy cached;

  ApiSecurity(MockStore store) {
    this.store = store;
  }

  /** Creates the bootstrap ClusterRoles and ClusterRoleBindings every cluster has. */
  void createBootstrapPolicy() {
    for (ClusterRole role : BootstrapPolicy.clusterRoles()) {
      create(RBAC + "clusterroles", role);
    }
    for (ClusterRoleBinding binding : BootstrapPolicy.clusterRoleBindings()) {
      create(RBAC + "clusterrolebindings", binding);
    }
  }

  String adminToken() {
    return adminToken;
  }

  /** A token that authenticates as the service account (valid while the account exists). */
  String serviceAccountToken(String namespace, String name) {
    String token = randomToken();
    serviceAccountTokens.put(token, new ServiceAccount(namespace, name));
    return token;
  }

  /**
   * The user the request's {@code Authorization: Bearer} token stands for; empty for no token, an
   * unknown one, or one of a service account that does not exist (any more).
   */
  Optional<UserInfo> authenticate(ApiCall call) {
    String header = call.header("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String token = header.substring(7).strip();
    if (token.equals(adminToken)) {
      return Optional.of(UserInfo.clusterAdmin(ADMIN_USER));
    }
    ServiceAccount account = serviceAccountTokens.get(token);
    if (account == null || !exists(account)) {
      return Optional.empty();
    }
    return Optional.of(UserInfo.serviceAccount(account.namespace(), account.name()));
  }

  /** Decides and records the decision. */
  AccessDecision authorize(UserInfo user, ApiCall call) {
    AccessDecision decision =
        policy().authorize(user, RequestAttributes.of(call.method(), call.path(), call.params()));
    log.add(decision);
    return decision;
  }

  /** Every decision so far, oldest first. */
  List<AccessDecision> accessLog() {
    return List.copyOf(log);
  }

  void clearAccessLog() {
    log.clear();
  }

  /** Called after every write has completed: an RBAC object may have changed. */
  void written(ResourcePath path) {
    if (path.group().equals(RBAC_GROUP)) {
      rbacGeneration.incrementAndGet();
    }
  }

  /** Whether the front answers this request itself (a self-review, never stored). */
  static boolean isSelfReview(ApiCall call) {
    return call.method().equals("POST")
        && (call.path().equals(AUTHORIZATION + "selfsubjectrulesreviews")
            || call.path().equals(AUTHORIZATION + "selfsubjectaccessreviews"));
  }

  /**
   * A SelfSubjectRulesReview (every rule that applies to the user in spec.namespace) or a
   * SelfSubjectAccessReview (the decision on spec.resourceAttributes or
   * spec.nonResourceAttributes), answered 201 as kube-apiserver does.
   */
  Reply selfReview(UserInfo user, ApiCall call) {
    ObjectNode review = (ObjectNode) Json.parse(call.body());
    JsonNode spec = review.path("spec");
    ObjectNode status = review.putObject("status");
    if (call.path().endsWith("selfsubjectrulesreviews")) {
      ArrayNode resourceRules = status.putArray("resourceRules");
      ArrayNode nonResourceRules = status.putArray("nonResourceRules");
      for (PolicyRule rule : policy().rulesFor(user, spec.path("namespace").asText(""))) {
        JsonNode json = Json.parse(Serialization.asJson(rule));
        if (rule.getNonResourceURLs() != null && !rule.getNonResourceURLs().isEmpty()) {
          ObjectNode entry = nonResourceRules.addObject();
          entry.set("verbs", json.path("verbs"));
          entry.set("nonResourceURLs", json.path("nonResourceURLs"));
        } else {
          ObjectNode entry = resourceRules.addObject();
          for (String field : List.of("verbs", "apiGroups", "resources", "resourceNames")) {
            if (json.has(field)) {
              entry.set(field, json.path(field));
            }
          }
        }
      }
      status.put("incomplete", false);
    } else {
      JsonNode resource = spec.path("resourceAttributes");
      JsonNode nonResource = spec.path("nonResourceAttributes");
      RequestAttributes asked =
          resource.isObject()
              ? RequestAttributes.resource(
                  resource.path("verb").asText(""),
                  resource.path("group").asText(""),
                  resource.path("resource").asText(""),
                  resource.path("subresource").asText(""),
                  resource.path("namespace").asText(""),
                  resource.path("name").asText(""))
              : RequestAttributes.nonResource(
                  nonResource.path("verb").asText(""), nonResource.path("path").asText(""));
      AccessDecision decision = policy().authorize(user, asked);
      status.put("allowed", decision.allowed());
      if (!decision.reason().isEmpty()) {
        status.put("reason", "RBAC: allowed by " + decision.reason());
      }
    }
    return Reply.json(201, review);
  }

  private RbacPolicy policy() {
    long generation = rbacGeneration.get();
    CachedPolicy current = cached;
    if (current != null && current.generation() == generation) {
      return current.policy();
    }
    RbacPolicy read =
        new RbacPolicy(
            list(RBAC + "clusterroles", ClusterRoleList.class),
            list(RBAC + "clusterrolebindings", ClusterRoleBindingList.class),
            list(RBAC + "roles", RoleList.class),
            list(RBAC + "rolebindings", RoleBindingList.class));
    cached = new CachedPolicy(generation, read);
    return read;
  }

  private <T extends HasMetadata, L extends KubernetesResourceList<T>> List<T> list(
      String path, Class<L> type) {
    MockResponse response = store.dispatch(HttpMethod.GET, path, null, "");
    if (response.code() != 200) {
      return List.of();
    }
    return List.copyOf(Serialization.unmarshal(MockStore.body(response), type).getItems());
  }

  private boolean exists(ServiceAccount account) {
    String path =
        "/api/v1/namespaces/" + account.namespace() + "/serviceaccounts/" + account.name();
    return store.dispatch(HttpMethod.GET, path, null, "").code() == 200;
  }

  private void create(String collection, HasMetadata object) {
    MockResponse created =
        store.dispatch(
            HttpMethod.POST, collection, "application/json", Serialization.asJson(object));
    if (created.code() != 201) {
      throw new IllegalStateException(
          "creating " + object.getMetadata().getName() + ": HTTP " + created.code());
    }
  }

  private static String randomToken() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
