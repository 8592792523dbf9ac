package io.dm4j.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dm4j.DeviceNumber;
import io.dm4j.InvalidTableException;
import io.dm4j.TargetLine;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
    private static final DeviceNumber LOOP0 = new DeviceNumber(7, 0);

    @Test
    void builderComputesStartsAndFormatsLikeDmsetup() {
        Table t = Table.builder()
                .append(Sectors.of(2048), new LinearTarget(LOOP0, Sectors.of(8)))
                .append(Sectors.of(100), new ZeroTarget())
                .append(Sectors.ofBytes(4096), new ErrorTarget())
                .build();
        assertThat(t.format()).isEqualTo("0 2048 linear 7:0 8\n2048 100 zero \n2148 8 error \n");
        assertThat(t.size()).isEqualTo(Sectors.of(2156));
        assertThat(t.toTargetLines()).containsExactly(new TargetLine(0, 2048, "linear", "7:0 8"),
                new TargetLine(2048, 100, "zero", ""), new TargetLine(2148, 8, "error", ""));
        assertThat(Table.of(t.toTargetLines())).isEqualTo(t);
    }

    @Test
    void readsTextAsDmsetupCreateDoes() {
        Table t = Table.parse("""
                # a comment line
                   0 2048   linear   7:0 8   # trailing comment

                \t2048 100 zero
                2148 8 error""");
        assertThat(t.entries()).hasSize(3);
        assertThat(t.entries().get(0).target()).isEqualTo(new LinearTarget(LOOP0, Sectors.of(8)));
        assertThat(t.format()).isEqualTo("0 2048 linear 7:0 8\n2048 100 zero \n2148 8 error \n");
    }

    @Test
    void unknownTypesAndNonCanonicalParamsStayRawUnlessStrict() {
        Table t = Table.parse("0 10 linear /dev/loop0 0\n10 10 unstriped 2 128 0 7:0 0\n20 10 crypt aes - x 7:0 0\n");
        assertThat(t.entries()).extracting(Table.Entry::target).containsExactly(
                new RawTarget("linear", "/dev/loop0 0"), new RawTarget("unstriped", "2 128 0 7:0 0"),
                new RawTarget("crypt", "aes - x 7:0 0"));
        assertThatThrownBy(() -> Table.parseStrict("0 10 linear 7:0 0\n10 10 unstriped 2 128 0 7:0 0\n"))
                .isInstanceOf(InvalidTableException.class).hasMessageContaining("line 2 type")
                .hasMessageContaining("unstriped");
        assertThatThrownBy(() -> Table.parseStrict("0 10 linear /dev/loop0 0"))
                .isInstanceOf(InvalidTableException.class).hasMessageContaining("line 1 linear device");
        assertThatThrownBy(() -> Table.parseStrict("0 10 linear 7:0 00"))
                .isInstanceOf(InvalidTableException.class).hasMessageContaining("offset");
        assertThatThrownBy(() -> Table.parseStrict("0 10 linear 7:0 0 extra"))
                .isInstanceOf(InvalidTableException.class).hasMessageContaining("unexpected words");
    }

    @Test
    void rejectsGapsOverlapsZeroLengthsAndOverflow() {
        assertThatThrownBy(() -> Table.parse("0 10 zero\n11 10 zero\n")).isInstanceOf(InvalidTableException.class)
                .hasMessageContaining("line 2 start").hasMessageContaining("gap");
        assertThatThrownBy(() -> Table.parse("0 10 zero\n9 10 zero\n")).isInstanceOf(InvalidTableException.class)
                .hasMessageContaining("overlaps");
        assertThatThrownBy(() -> Table.parse("5 10 zero\n")).isInstanceOf(InvalidTableException.class)
                .hasMessageContaining("line 1 start");
        assertThatThrownBy(() -> Table.parse("0 0 zero\n")).isInstanceOf(InvalidTableException.class)
                .hasMessageContaining("greater than zero");
        assertThatThrownBy(() -> Table.parse("0 9223372036854775807 zero\n9223372036854775807 1 zero\n"))
                .isInstanceOf(InvalidTableException.class).hasMessageContaining("overflows");
        assertThatThrownBy(() -> Table.parse("# nothing\n\n")).isInstanceOf(InvalidTableException.class)
                .hasMessageContaining("at least one target");
        assertThatThrownBy(() -> Table.parse("0 x zero")).isInstanceOf(InvalidTableException.class)
                .hasMessageContaining("line 1 length");
        assertThatThrownBy(() -> Table.parse("0 10")).isInstanceOf(InvalidTableException.class)
                .hasMessageContaining("start length type");
        assertThatThrownBy(() -> Table.builder().append(Sectors.of(Long.MAX_VALUE), new ZeroTarget())
                .append(Sectors.of(1), new ZeroTarget())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void checksTheKernelsLengthRulesBeforeAnyIoctl() {
        StripedTarget striped = new StripedTarget(Sectors.of(8), List.of(new DeviceOffset(LOOP0, Sectors.ZERO),
                new DeviceOffset(new DeviceNumber(7, 1), Sectors.ZERO)));
        assertThat(Table.builder().append(Sectors.of(32), striped).build().entries()).hasSize(1);
        assertThatThrownBy(() -> Table.builder().append(Sectors.of(24), striped).build())
                .isInstanceOf(InvalidTableException.class).hasMessageContaining("striped length");
        CryptTarget crypt = new CryptTarget("aes-xts-plain64", new CryptTarget.Key.None(), Sectors.ZERO, LOOP0,
                Sectors.ZERO, java.util.Set.of(), Sectors.ofBytes(4096), java.util.Optional.empty());
        assertThatThrownBy(() -> Table.builder().append(Sectors.of(12), crypt).build())
                .isInstanceOf(InvalidTableException.class).hasMessageContaining("crypt sector size");
    }

    @Test
    void keyBytesNeverBecomeTargetLinesAndCloseWipesThem() {
        CryptKey key = CryptKey.random(32);
        Table t = Table.builder().append(Sectors.of(8), CryptTarget.of("aes-xts-plain64", key, LOOP0)).build();
        assertThatThrownBy(t::toTargetLines).isInstanceOf(InvalidTableException.class).hasMessageContaining("String");
        assertThat(t.format()).isEqualTo("0 8 crypt aes-xts-plain64 " + "0".repeat(64) + " 0 7:0 0\n");
        t.close();
        assertThat(key.isClosed()).isTrue();
        assertThatThrownBy(((CryptTarget) t.entries().get(0).target())::paramsWithKey)
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void mapKeepsTheRanges() {
        Table t = Table.parse("0 10 zero\n10 5 error\n");
        assertThat(t.map(x -> new ZeroTarget()).format()).isEqualTo("0 10 zero \n10 5 zero \n");
    }
}
