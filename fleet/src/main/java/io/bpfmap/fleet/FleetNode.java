package io.bpfmap.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A node as its heartbeats tell it.
 *
 * @param node its name
 * @param live whether its last heartbeat is within the fleet table's expiry
 * @param lastHeartbeat when it sent its last heartbeat (by its clock)
 * @param maps its maps' last cycles, as its heartbeat gives them: {@code {"flows":{"cycle":12}}}
 */
public record FleetNode(String node, boolean live, Instant lastHeartbeat, JsonNode maps) {}
