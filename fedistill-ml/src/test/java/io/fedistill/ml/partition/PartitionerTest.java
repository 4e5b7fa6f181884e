package io.fedistill.ml.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PartitionerTest {
    private static final int[] LABELS = IntStream.range(0, 2000).map(i -> i % 10).toArray();
    private static final List<String> IDS = IntStream.range(0, 8).mapToObj(i -> "p" + i).toList();

    private static void assertCoversEverySampleOnce(List<int[]> parts) {
        int[] all = parts.stream().flatMapToInt(Arrays::stream).sorted().toArray();
        assertThat(all).containsExactly(IntStream.range(0, LABELS.length).toArray());
    }

    private static long labelsHeld(int[] part) {
        return Arrays.stream(part).map(i -> LABELS[i]).distinct().count();
    }

    @Test
    void everyPartitionerCoversEverySampleOnceAndIsSeeded() {
        for (Partitioner p :
                List.of(
                        Partitioner.iid(),
                        Partitioner.dirichlet(0.3),
                        Partitioner.shards(2),
                        Partitioner.pathological(2),
                        Partitioner.quantitySkew(0.5))) {
            List<int[]> parts = p.split(LABELS, 10, 8, 7);
            assertThat(parts).as(p.describe()).hasSize(8);
            assertCoversEverySampleOnce(parts);
            assertThat(p.split(LABELS, 10, 8, 7))
                    .as(p.describe())
                    .usingRecursiveComparison()
                    .isEqualTo(parts);
            assertThat(p.split(LABELS, 10, 8, 8))
                    .as(p.describe())
                    .usingRecursiveComparison()
                    .isNotEqualTo(parts);
        }
    }

    @Test
    void skewIsWhereItShouldBe() {
        assertThat(Partitioner.iid().split(LABELS, 10, 8, 1))
                .allSatisfy(
                        part -> {
                            assertThat(part.length).isEqualTo(250);
                            assertThat(labelsHeld(part)).isEqualTo(10);
                        });
        assertThat(Partitioner.shards(2).split(LABELS, 10, 8, 1))
                .allSatisfy(
                        part ->
                                assertThat(labelsHeld(part))
                                        .isLessThanOrEqualTo(4)); // a shard may straddle two labels
        // PFLlib's pathological split: exactly two distinct labels each, every label held by
        // 8 * 2 / 10 participants (one or two here), each holder with an equal part of it
        List<int[]> pathological = Partitioner.pathological(2).split(LABELS, 10, 8, 1);
        assertThat(pathological).allSatisfy(part -> assertThat(labelsHeld(part)).isEqualTo(2));
        for (int c = 0; c < 10; c++) {
            int label = c;
            int[] shares =
                    pathological.stream()
                            .mapToInt(
                                    part ->
                                            (int)
                                                    Arrays.stream(part)
                                                            .filter(i -> LABELS[i] == label)
                                                            .count())
                            .filter(n -> n > 0)
                            .toArray();
            assertThat(shares.length).isBetween(1, 2);
            assertThat(
                            Arrays.stream(shares).max().getAsInt()
                                    - Arrays.stream(shares).min().getAsInt())
                    .isLessThanOrEqualTo(1);
        }
        double meanLabels =
                Partitioner.dirichlet(0.05).split(LABELS, 10, 8, 1).stream()
                        .mapToLong(PartitionerTest::labelsHeld)
                        .average()
                        .orElseThrow();
        assertThat(meanLabels).isLessThan(5);
        int[] sizes =
                Partitioner.quantitySkew(0.3).split(LABELS, 10, 8, 1).stream()
                        .mapToInt(p -> p.length)
                        .toArray();
        assertThat(Arrays.stream(sizes).max().getAsInt())
                .isGreaterThan(3 * Arrays.stream(sizes).min().getAsInt());
        assertThat(Arrays.stream(sizes).min().getAsInt()).isGreaterThanOrEqualTo(10);
    }

    @Test
    void localTestSplitsAndHistogram() {
        FederatedPartition partition =
                FederatedPartition.create(Partitioner.dirichlet(0.5), LABELS, 10, IDS, 0.2, 3);
        int total = 0;
        for (ParticipantSplit split : partition.splits()) {
            int n = split.trainIndices().length + split.localTestIndices().length;
            assertThat(split.localTestIndices().length)
                    .isEqualTo(Math.max(1, (int) Math.floor(n * 0.2)));
            assertThat(Arrays.stream(split.trainIndices()).boxed().toList())
                    .doesNotContainAnyElementsOf(
                            Arrays.stream(split.localTestIndices()).boxed().toList());
            total += n;
        }
        assertThat(total).isEqualTo(LABELS.length);
        int[][] histogram = partition.labelHistogram(LABELS);
        assertThat(Arrays.stream(histogram).flatMapToInt(Arrays::stream).sum())
                .isEqualTo(LABELS.length);
        for (int c = 0; c < 10; c++) {
            int label = c;
            assertThat(Arrays.stream(histogram).mapToInt(row -> row[label]).sum()).isEqualTo(200);
        }
    }

    @Test
    void oddInputsGetClearErrors() {
        assertThatThrownBy(() -> Partitioner.dirichlet(0))
                .hasMessageContaining("alpha must be > 0, got 0.0");
        assertThatThrownBy(() -> Partitioner.iid().split(new int[] {1, 2}, 10, 3, 1))
                .hasMessageContaining("cannot split 2 samples among 3 participants");
        assertThatThrownBy(() -> Partitioner.shards(0)).hasMessageContaining("must be >= 1, got 0");
        assertThatThrownBy(() -> Partitioner.pathological(2).split(LABELS, 10, 4, 1))
                .hasMessageContaining(
                        "4 participants with 2 labels each cannot hold all 10 classes");
        assertThatThrownBy(() -> Partitioner.pathological(11).split(LABELS, 10, 4, 1))
                .hasMessageContaining("the data has only 10 classes");
        assertThatThrownBy(() -> Partitioner.shards(11).split(LABELS, 10, 4, 1))
                .hasMessage("11 labels per participant, but the data has only 10 classes");
        // one participant holding a single class still gets a train and a local test split
        FederatedPartition single =
                FederatedPartition.create(
                        Partitioner.iid(), new int[] {4, 4, 4}, 10, List.of("solo"), 0.1, 1);
        assertThat(single.splits().get(0).trainIndices()).hasSize(2);
        assertThat(single.splits().get(0).localTestIndices()).hasSize(1);
    }
}
