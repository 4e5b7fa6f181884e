package io.fedistill.ml.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParticipantDataTest {
    @TempDir Path dir;

    @Test
    void theCommonTestSetIsOptionalButNotByHalves() throws Exception {
        DatasetSplits sample = FashionMnist.sample();
        ImageDataset train = sample.train().head(20);
        ImageDataset local = sample.train().select("local", new int[] {30, 31, 32});
        new ParticipantData(train, local, Optional.of(sample.test().head(5)))
                .write(dir.resolve("with"));
        new ParticipantData(train, local, Optional.empty()).write(dir.resolve("without"));

        ParticipantData with = ParticipantData.read(dir.resolve("with"));
        assertThat(with.test().orElseThrow().labels())
                .containsExactly(sample.test().head(5).labels());
        ParticipantData without = ParticipantData.read(dir.resolve("without"));
        assertThat(without.test()).isEmpty();
        assertThat(without.train().labels()).containsExactly(train.labels());
        assertThat(without.localTest().labels()).containsExactly(local.labels());

        Files.delete(dir.resolve("with").resolve("t10k-labels-idx1-ubyte.gz"));
        assertThatThrownBy(() -> ParticipantData.read(dir.resolve("with")))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("t10k-labels-idx1-ubyte.gz");
    }
}
