package dev.skyferry.rule;

import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.rule.ReplicationRule.AzureSide;
import dev.skyferry.rule.ReplicationRule.KeyFilter;
import dev.skyferry.rule.RouteDecision.RejectCode;
import dev.skyferry.rule.RouteDecision.Rejected;
import dev.skyferry.rule.RouteDecision.Routed;
import dev.skyferry.store.StoreKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The configured rules, validated together, answering "where does this object go?".
 *
 * <p>Validation (all problems reported at once, each with its path):
 * <ul>
 *   <li>names unique and not blank; account, container and bucket not blank; direction set;
 *       a blob endpoint, when given, an absolute http(s) URL — and the same for every rule naming
 *       that account, since events are checked against it;</li>
 *   <li>no two rules may read overlapping sources in the same direction (same account+container or
 *       bucket, one source prefix a prefix of the other): an object there would be replicated twice.
 *       Filters are not taken into account — disjoint filters are hard to prove, and a rule set whose
 *       safety depends on them is fragile;</li>
 *   <li>no two rules may write overlapping targets in the same direction, for the same reason: one
 *       source's object could overwrite the other's.</li>
 * </ul>
 *
 * <p>Routing an event: the rule whose source side covers the object's account+container (or bucket)
 * and prefix; for Azure events, the event's {@code data.url} must be on that account's endpoint;
 * the rule must run in the event's direction; the key, relative to the source prefix, must pass the
 * filter; the mapped key must be valid in the target store. Each failing step is a
 * {@link Rejected} with its own {@link RejectCode}. Immutable and thread-safe.
 */
public final class RuleSet {

    private final List<ReplicationRule> rules;
    private final Map<String, ReplicationRule> byName;
    /** Keyed by {@link #azureKey}: rules whose Azure side is that container. */
    private final Map<String, List<ReplicationRule>> byAzureContainer;
    private final Map<String, List<ReplicationRule>> byBucket;
    /** Keyed by lower-case account name. */
    private final Map<String, AccountEndpoint> endpoints;

    private RuleSet(List<ReplicationRule> rules, Map<String, AccountEndpoint> endpoints) {
        this.rules = List.copyOf(rules);
        this.endpoints = Map.copyOf(endpoints);
        Map<String, ReplicationRule> names = new LinkedHashMap<>();
        Map<String, List<ReplicationRule>> azure = new HashMap<>();
        Map<String, List<ReplicationRule>> s3 = new HashMap<>();
        for (ReplicationRule rule : rules) {
            names.put(rule.name(), rule);
            azure.computeIfAbsent(azureKey(rule.azure().account(), rule.azure().container()), k -> new ArrayList<>())
                    .add(rule);
            s3.computeIfAbsent(rule.s3().bucket(), k -> new ArrayList<>()).add(rule);
        }
        this.byName = names;
        this.byAzureContainer = freeze(azure);
        this.byBucket = freeze(s3);
    }

    /**
     * @throws InvalidRuleSetException listing every problem, each prefixed with {@code rules[i]}
     */
    public static RuleSet of(List<ReplicationRule> rules) {
        if (rules == null) {
            throw new InvalidRuleSetException(List.of("rules: must be set"));
        }
        List<String> problems = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        Map<String, AccountEndpoint> endpoints = new HashMap<>();
        Map<String, Integer> endpointOwner = new HashMap<>();
        List<Integer> complete = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            String path = "rules[" + i + "]";
            ReplicationRule rule = rules.get(i);
            if (rule == null) {
                problems.add(path + ": must not be null");
                continue;
            }
            int before = problems.size();
            if (isBlank(rule.name())) {
                problems.add(path + ".name: must not be blank");
            } else if (names.putIfAbsent(rule.name(), i) != null) {
                problems.add(path + ".name: '" + rule.name() + "' is already used by rules[" + names.get(rule.name()) + "]");
            }
            if (rule.direction() == null) {
                problems.add(path + ".direction: must be azure-to-s3, s3-to-azure or both");
            }
            AzureSide azure = rule.azure();
            if (azure == null) {
                problems.add(path + ".azure: must be set");
            } else {
                if (isBlank(azure.account())) {
                    problems.add(path + ".azure.account: must not be blank");
                }
                if (isBlank(azure.container())) {
                    problems.add(path + ".azure.container: must not be blank");
                }
                if (!isBlank(azure.account())) {
                    checkEndpoint(path, i, azure, endpoints, endpointOwner, problems);
                }
            }
            if (rule.s3() == null) {
                problems.add(path + ".s3: must be set");
            } else if (isBlank(rule.s3().bucket())) {
                problems.add(path + ".s3.bucket: must not be blank");
            }
            if (problems.size() == before) {
                complete.add(i);
            }
        }
        // Overlaps are only meaningful between rules that are complete on their own.
        for (int a = 0; a < complete.size(); a++) {
            for (int b = a + 1; b < complete.size(); b++) {
                checkOverlap(complete.get(a), rules.get(complete.get(a)), complete.get(b), rules.get(complete.get(b)),
                        problems);
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRuleSetException(problems);
        }
        return new RuleSet(rules, endpoints);
    }

    public List<ReplicationRule> rules() {
        return rules;
    }

    public Optional<ReplicationRule> rule(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Where the object an event names goes, or why it goes nowhere. */
    public RouteDecision route(ReplicationEvent event) {
        Objects.requireNonNull(event, "event");
        return event.source() == StoreKind.AZURE_BLOB ? routeAzure(event) : routeS3(event);
    }

    /**
     * A route for one key under one rule, without an event: for backfill and diff, which list a
     * source and need each object's target. Applies the same direction, prefix, filter and
     * key-validity checks as {@link #route}.
     *
     * @param source the side the key lives on; the route goes to the other side
     */
    public RouteDecision routeKey(String ruleName, StoreKind source, String sourceKey) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(sourceKey, "sourceKey");
        ReplicationRule rule = byName.get(ruleName);
        if (rule == null) {
            return new Rejected(RejectCode.NO_MATCHING_RULE, "no rule named '" + ruleName + "'");
        }
        String prefix = sourcePrefix(rule, source);
        if (!sourceKey.startsWith(prefix)) {
            return new Rejected(RejectCode.NO_MATCHING_RULE, "key '" + sourceKey + "' is not under rule '"
                    + rule.name() + "' source prefix '" + prefix + "'");
        }
        if (!enabled(rule, source)) {
            return directionDisabled(rule, source);
        }
        return filterAndMap(rule, source, sourceKey);
    }

    /**
     * The source key whose replica is {@code targetKey}, for diffing a target listing against its
     * source: the target prefix replaced by the source prefix. Empty when the key is not under the
     * rule's target prefix (so no source key of this rule maps to it).
     *
     * @param source the side the source lives on; {@code targetKey} is on the other side
     */
    public Optional<String> sourceKeyFor(String ruleName, StoreKind source, String targetKey) {
        ReplicationRule rule = byName.get(ruleName);
        if (rule == null || targetKey == null) {
            return Optional.empty();
        }
        String targetPrefix = sourcePrefix(rule, source.opposite());
        if (!targetKey.startsWith(targetPrefix)) {
            return Optional.empty();
        }
        return Optional.of(sourcePrefix(rule, source) + targetKey.substring(targetPrefix.length()));
    }

    // ---- routing --------------------------------------------------------------------------------

    private RouteDecision routeAzure(ReplicationEvent event) {
        String account = event.account();
        String container = event.container();
        if (account == null || !endpoints.containsKey(account.toLowerCase(Locale.ROOT))) {
            return new Rejected(RejectCode.NO_MATCHING_RULE, "no rule for Azure storage account '" + account + "'");
        }
        List<ReplicationRule> candidates = byAzureContainer.getOrDefault(azureKey(account, container), List.of());
        if (candidates.isEmpty()) {
            return new Rejected(RejectCode.NO_MATCHING_RULE,
                    "no rule for container '" + container + "' of Azure storage account '" + account + "'");
        }
        // Checked before anything else matches: a forged or misdirected event must not be routed at all.
        String mismatch = endpoints.get(account.toLowerCase(Locale.ROOT)).mismatch(event.url(), container);
        if (mismatch != null) {
            return new Rejected(RejectCode.FOREIGN_URL, mismatch + "; event for azure://" + account + "/" + container
                    + " rejected and not read");
        }
        return routeWithin(candidates, StoreKind.AZURE_BLOB, event.key(),
                "azure://" + account + "/" + container + "/");
    }

    private RouteDecision routeS3(ReplicationEvent event) {
        List<ReplicationRule> candidates = byBucket.getOrDefault(event.container(), List.of());
        if (candidates.isEmpty()) {
            return new Rejected(RejectCode.NO_MATCHING_RULE, "no rule for S3 bucket '" + event.container() + "'");
        }
        return routeWithin(candidates, StoreKind.S3, event.key(), "s3://" + event.container() + "/");
    }

    private RouteDecision routeWithin(List<ReplicationRule> candidates, StoreKind source, String key, String where) {
        ReplicationRule disabled = null;
        for (ReplicationRule rule : candidates) {
            if (key.startsWith(sourcePrefix(rule, source))) {
                if (enabled(rule, source)) {
                    return filterAndMap(rule, source, key); // validation leaves at most one per direction
                }
                disabled = rule;
            }
        }
        if (disabled != null) {
            return directionDisabled(disabled, source);
        }
        TreeSet<String> prefixes = new TreeSet<>();
        candidates.forEach(rule -> prefixes.add("'" + sourcePrefix(rule, source) + "'"));
        return new Rejected(RejectCode.NO_MATCHING_RULE,
                "key '" + key + "' in " + where + " is under no rule's prefix " + prefixes);
    }

    private static RouteDecision filterAndMap(ReplicationRule rule, StoreKind source, String sourceKey) {
        String relative = sourceKey.substring(sourcePrefix(rule, source).length());
        String filteredOut = filteredOut(rule.filter() == null ? KeyFilter.ALL : rule.filter(), relative);
        if (filteredOut != null) {
            return new Rejected(RejectCode.FILTERED, "rule '" + rule.name() + "': key '" + relative + "' " + filteredOut);
        }
        StoreKind target = source.opposite();
        String targetKey = sourcePrefix(rule, target) + relative;
        String problem = TargetKeys.problem(target, targetKey);
        if (problem != null) {
            return new Rejected(RejectCode.UNREPRESENTABLE_KEY, "rule '" + rule.name() + "': " + problem
                    + " (source key '" + sourceKey + "')");
        }
        return new Routed(new Route(rule, location(rule, source, sourceKey), location(rule, target, targetKey)));
    }

    /** Why the relative key does not pass, or null when it does. */
    private static String filteredOut(KeyFilter filter, String relative) {
        for (String prefix : filter.excludePrefixes()) {
            if (relative.startsWith(prefix)) {
                return "matches exclude prefix '" + prefix + "'";
            }
        }
        for (String suffix : filter.excludeSuffixes()) {
            if (relative.endsWith(suffix)) {
                return "matches exclude suffix '" + suffix + "'";
            }
        }
        if (filter.includePrefixes().isEmpty() && filter.includeSuffixes().isEmpty()) {
            return null;
        }
        for (String prefix : filter.includePrefixes()) {
            if (relative.startsWith(prefix)) {
                return null;
            }
        }
        for (String suffix : filter.includeSuffixes()) {
            if (relative.endsWith(suffix)) {
                return null;
            }
        }
        return "matches no include (prefixes " + filter.includePrefixes() + ", suffixes " + filter.includeSuffixes() + ")";
    }

    private static Rejected directionDisabled(ReplicationRule rule, StoreKind source) {
        return new Rejected(RejectCode.DIRECTION_DISABLED, "rule '" + rule.name() + "' does not replicate "
                + (source == StoreKind.AZURE_BLOB ? "azure-to-s3" : "s3-to-azure") + " (direction "
                + rule.direction().name().toLowerCase(Locale.ROOT).replace('_', '-') + ")");
    }

    private static Route.Location location(ReplicationRule rule, StoreKind store, String key) {
        return store == StoreKind.AZURE_BLOB
                ? new Route.Location(store, rule.azure().account(), rule.azure().container(), key)
                : new Route.Location(store, null, rule.s3().bucket(), key);
    }

    private static boolean enabled(ReplicationRule rule, StoreKind source) {
        return source == StoreKind.AZURE_BLOB ? rule.direction().azureToS3() : rule.direction().s3ToAzure();
    }

    private static String sourcePrefix(ReplicationRule rule, StoreKind side) {
        return side == StoreKind.AZURE_BLOB ? rule.azure().prefix() : rule.s3().prefix();
    }

    // ---- validation -----------------------------------------------------------------------------

    private static void checkEndpoint(String path, int index, AzureSide azure, Map<String, AccountEndpoint> endpoints,
                                      Map<String, Integer> owner, List<String> problems) {
        AccountEndpoint endpoint;
        try {
            endpoint = isBlank(azure.blobEndpoint())
                    ? AccountEndpoint.defaultFor(azure.account())
                    : AccountEndpoint.parse(azure.blobEndpoint(), azure.account());
        } catch (IllegalArgumentException e) {
            problems.add(path + ".azure.blobEndpoint: " + e.getMessage());
            return;
        }
        String account = azure.account().toLowerCase(Locale.ROOT);
        AccountEndpoint known = endpoints.putIfAbsent(account, endpoint);
        if (known != null && !sameEndpoint(known, endpoint)) {
            problems.add(path + ".azure.blobEndpoint: '" + endpoint.text() + "' differs from '" + known.text()
                    + "' given for account '" + azure.account() + "' by rules[" + owner.get(account) + "]");
        } else {
            owner.putIfAbsent(account, index);
        }
    }

    private static boolean sameEndpoint(AccountEndpoint a, AccountEndpoint b) {
        return a.scheme().equals(b.scheme()) && a.host().equals(b.host()) && a.port() == b.port()
                && a.pathSegments().equals(b.pathSegments());
    }

    private static void checkOverlap(int i, ReplicationRule a, int j, ReplicationRule b, List<String> problems) {
        boolean sameAzure = a.azure().account().equalsIgnoreCase(b.azure().account())
                && a.azure().container().equals(b.azure().container())
                && overlaps(a.azure().prefix(), b.azure().prefix());
        boolean sameS3 = a.s3().bucket().equals(b.s3().bucket()) && overlaps(a.s3().prefix(), b.s3().prefix());
        String pair = "rules[" + j + "] ('" + b.name() + "') and rules[" + i + "] ('" + a.name() + "')";
        String azureWhere = "azure://" + a.azure().account() + "/" + a.azure().container() + "/"
                + shorter(a.azure().prefix(), b.azure().prefix());
        String s3Where = "s3://" + a.s3().bucket() + "/" + shorter(a.s3().prefix(), b.s3().prefix());
        if (a.direction().azureToS3() && b.direction().azureToS3()) {
            if (sameAzure) {
                problems.add(pair + " both replicate " + azureWhere + " to S3: an object there would be copied twice");
            }
            if (sameS3) {
                problems.add(pair + " both write into " + s3Where + ": one source's object could overwrite the other's");
            }
        }
        if (a.direction().s3ToAzure() && b.direction().s3ToAzure()) {
            if (sameS3) {
                problems.add(pair + " both replicate " + s3Where + " to Azure: an object there would be copied twice");
            }
            if (sameAzure) {
                problems.add(pair + " both write into " + azureWhere + ": one source's object could overwrite the other's");
            }
        }
    }

    /** Two prefixes overlap when some key is under both: one is a prefix of the other. */
    private static boolean overlaps(String a, String b) {
        return a.startsWith(b) || b.startsWith(a);
    }

    private static String shorter(String a, String b) {
        return a.length() <= b.length() ? a : b;
    }

    private static String azureKey(String account, String container) {
        return account.toLowerCase(Locale.ROOT) + '\n' + container;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    private static Map<String, List<ReplicationRule>> freeze(Map<String, List<ReplicationRule>> map) {
        Map<String, List<ReplicationRule>> frozen = new HashMap<>();
        map.forEach((key, list) -> frozen.put(key, List.copyOf(list)));
        return Map.copyOf(frozen);
    }
}
