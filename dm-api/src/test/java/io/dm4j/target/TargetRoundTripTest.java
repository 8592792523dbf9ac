package io.dm4j.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Random valid targets survive params → parse, and tables survive format → parse → format. */
class TargetRoundTripTest {

    @Property(tries = 3000)
    void everyTargetReadsBackFromItsParams(@ForAll("targets") Target t) {
        Target back = Target.parse(t.type(), t.params());
        assertThat(back).isEqualTo(t);
        assertThat(back.params()).isEqualTo(t.params());
    }

    @Property(tries = 500)
    void cryptKeysReadBackFromTheExactBytes(@ForAll("cryptWithKeys") CryptTarget t) {
        byte[] exact = t.paramsWithKey();
        try (CryptKey original = ((CryptTarget.Key.Inline) t.key()).key()) {
            CryptTarget back = (CryptTarget) Target.parse("crypt", new String(exact, StandardCharsets.US_ASCII));
            assertThat(back).isEqualTo(t);
            // params() never shows the key: as many zeros as hex digits, like dmsetup table.
            assertThat(t.params()).contains(" " + "0".repeat(2 * original.size()) + " ");
            ((CryptTarget.Key.Inline) back.key()).key().close();
        }
    }

    @Property(tries = 500)
    void tableTextRoundTrips(@ForAll("tables") Table table) {
        String text = table.format();
        Table back = Table.parse(text);
        assertThat(back).isEqualTo(table);
        assertThat(back.format()).isEqualTo(text);
        assertThat(Table.parse(text.replace("\n", "   # comment\n\n"))).isEqualTo(table);
        assertThat(Table.of(table.toTargetLines())).isEqualTo(table);
    }

    @Provide
    Arbitrary<Target> targets() {
        return TargetArbitraries.targets();
    }

    @Provide
    Arbitrary<CryptTarget> cryptWithKeys() {
        Arbitrary<CryptTarget.Key> inline = Arbitraries.integers().between(1, 128)
                .map(n -> new CryptTarget.Key.Inline(CryptKey.random(n)));
        return TargetArbitraries.crypt(inline).map(CryptTarget.class::cast);
    }

    @Provide
    Arbitrary<Table> tables() {
        Arbitrary<Target> lengthFree = TargetArbitraries.targets().filter(t -> !(t instanceof StripedTarget)
                && !(t instanceof CryptTarget c && c.sectorSize().count() > 1));
        return Combinators.combine(Arbitraries.longs().between(1, 1L << 40), lengthFree).as(Entry::new).list()
                .ofMinSize(1).ofMaxSize(6).map(list -> {
                    Table.Builder b = Table.builder();
                    list.forEach(e -> b.append(Sectors.of(e.length()), e.target()));
                    return b.build();
                });
    }

    private record Entry(long length, Target target) {}

    @Property(tries = 200)
    void stripedTablesKeepTheKernelsLengthRule(@ForAll("stripes") StripedTarget s) {
        Sectors ok = Sectors.of(s.chunkSize().count() * s.stripes().size() * 3);
        assertThat(Table.parse(Table.builder().append(ok, s).build().format()).entries().get(0).target()).isEqualTo(s);
    }

    @Provide
    Arbitrary<StripedTarget> stripes() {
        return Combinators.combine(Arbitraries.longs().between(1, 1 << 20).map(Sectors::of),
                Combinators.combine(TargetArbitraries.devices(), TargetArbitraries.sectors()).as(DeviceOffset::new)
                        .list().ofMinSize(1).ofMaxSize(8).map(ArrayList::new))
                .as((chunk, list) -> new StripedTarget(chunk, List.copyOf(list)));
    }
}
