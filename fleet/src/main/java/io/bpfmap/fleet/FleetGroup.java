package io.bpfmap.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Map;

/**
 * One group of a {@link FleetAggregate} over the live nodes.
 *
 * @param group the group's field values, as published: {@code {"dport":443}}
 * @param entries how many entries are in the group
 * @param nodes how many live nodes have entries in it
 * @param sums each {@code sum} field's total, in the aggregate's order
 */
public record FleetGroup(JsonNode group, long entries, int nodes, Map<String, BigDecimal> sums) {}
