package dev.locksafe.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.locksafe.check.CatalogSnapshot.Column;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Type changes that only widen the same type (binary compatible: no rewrite, every old value fits). */
class WideningTest {

    private static Column column(long type, int typmod) {
        return new Column(1, 1, "c", type, typmod, false, false, false, false);
    }

    private static int numeric(int precision, int scale) {
        return ((precision << 16) | scale) + 4;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "varchar(10) -> varchar(20),  1043, 14, 1043, 24, true",
            "varchar(10) -> varchar,      1043, 14, 1043, -1, true",
            "varchar(10) -> text,         1043, 14, 25,   -1, true",
            "varchar(20) -> varchar(10),  1043, 24, 1043, 14, false",
            "text -> varchar(10),         25,   -1, 1043, 14, false",
            "integer -> bigint,           23,   -1, 20,   -1, false",
            "timestamp(3) -> timestamp,   1114, 3,  1114, -1, true",
            "timestamp(6) -> timestamp(3),1114, 6,  1114, 3,  false",
            "timestamp -> timestamptz,    1114, -1, 1184, -1, false",
    })
    void widening(String change, long from, int fromMod, long to, int toMod, boolean expected) {
        assertThat(ZddCheck.widening(column(from, fromMod), column(to, toMod))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "numeric({0},{1}) -> numeric({2},{3})")
    @CsvSource({"10,2,12,2,true", "10,2,12,3,false", "12,2,10,2,false"})
    void numericPrecisionUpAtTheSameScaleWidens(int p, int s, int p2, int s2, boolean expected) {
        assertThat(ZddCheck.widening(column(1700, numeric(p, s)), column(1700, numeric(p2, s2)))).isEqualTo(expected);
    }
}
