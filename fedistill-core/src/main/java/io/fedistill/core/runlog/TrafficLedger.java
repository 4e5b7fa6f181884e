package io.fedistill.core.runlog;

import io.fedistill.core.fleet.Channel;
import io.fedistill.core.fleet.Direction;
import io.fedistill.core.fleet.Transfer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exact byte counts of a run, per round, participant, direction and channel: the source of every
 * communication figure.
 */
public final class TrafficLedger {
    private final List<Entry> entries = new ArrayList<>();

    /**
     * One counted message.
     *
     * @param round the round
     * @param channel algorithm or evaluation traffic
     * @param transfer the participant, direction and size
     */
    public record Entry(int round, Channel channel, Transfer transfer) {}

    /** Records transfers of one round and channel. */
    public synchronized void record(int round, Channel channel, List<Transfer> transfers) {
        for (Transfer t : transfers) {
            entries.add(new Entry(round, channel, t));
        }
    }

    /** Returns a ledger holding the given entries. */
    public static TrafficLedger of(List<Entry> entries) {
        TrafficLedger ledger = new TrafficLedger();
        ledger.entries.addAll(entries);
        return ledger;
    }

    /** Returns the total bytes of a channel and direction over the whole run. */
    public synchronized long totalBytes(Channel channel, Direction direction) {
        long total = 0;
        for (Entry e : entries) {
            if (e.channel == channel && e.transfer.direction() == direction) {
                total += e.transfer.bytes();
            }
        }
        return total;
    }

    /** Returns the run's bytes of one channel and direction per participant, sorted by id. */
    public synchronized Map<String, Long> bytesPerParticipant(
            Channel channel, Direction direction) {
        Map<String, Long> totals = new TreeMap<>();
        for (Entry e : entries) {
            if (e.channel == channel && e.transfer.direction() == direction) {
                totals.merge(e.transfer.participantId(), e.transfer.bytes(), Long::sum);
            }
        }
        return totals;
    }

    /** Returns a copy of every entry in recording order. */
    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }
}
