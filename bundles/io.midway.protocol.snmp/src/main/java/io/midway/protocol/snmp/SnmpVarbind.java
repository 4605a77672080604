package io.midway.protocol.snmp;

import java.util.Objects;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One variable binding of an answer: the OID, the SNMP type name and the value as a plain Java
 * value that maps to JSON.
 *
 * <table>
 * <caption>types and values</caption>
 * <tr><th>type</th><th>value</th></tr>
 * <tr><td>{@value #OCTET_STRING}</td><td>the text when it is printable UTF-8, else hex
 * ({@code 00:1a:2b}) with {@link #hex()} set</td></tr>
 * <tr><td>{@value #INTEGER}, {@value #COUNTER32}, {@value #GAUGE32}, {@value #TIMETICKS}</td>
 * <td>a {@code Long} (TimeTicks in hundredths of a second)</td></tr>
 * <tr><td>{@value #COUNTER64}</td><td>a {@code Long}, or a {@code BigInteger} above
 * {@code Long.MAX_VALUE}</td></tr>
 * <tr><td>{@value #OID}, {@value #IP_ADDRESS}</td><td>dotted text</td></tr>
 * <tr><td>{@value #OPAQUE}</td><td>hex, with {@link #hex()} set</td></tr>
 * <tr><td>{@value #NULL}, {@value #NO_SUCH_OBJECT}, {@value #NO_SUCH_INSTANCE},
 * {@value #END_OF_MIB_VIEW}</td><td>{@code null}</td></tr>
 * </table>
 */
@ProviderType
public final class SnmpVarbind {

    /** Type name of an OCTET STRING. */
    public static final String OCTET_STRING = "OCTET STRING";
    /** Type name of an INTEGER (Integer32). */
    public static final String INTEGER = "INTEGER";
    /** Type name of a Counter32. */
    public static final String COUNTER32 = "Counter32";
    /** Type name of a Gauge32 (Unsigned32). */
    public static final String GAUGE32 = "Gauge32";
    /** Type name of TimeTicks. */
    public static final String TIMETICKS = "TimeTicks";
    /** Type name of a Counter64. */
    public static final String COUNTER64 = "Counter64";
    /** Type name of an OBJECT IDENTIFIER. */
    public static final String OID = "OID";
    /** Type name of an IpAddress. */
    public static final String IP_ADDRESS = "IpAddress";
    /** Type name of Opaque. */
    public static final String OPAQUE = "Opaque";
    /** Type name of NULL. */
    public static final String NULL = "NULL";
    /** The agent has no such object (type). */
    public static final String NO_SUCH_OBJECT = "noSuchObject";
    /** The agent has the object but no such instance. */
    public static final String NO_SUCH_INSTANCE = "noSuchInstance";
    /** There is nothing after this OID in the agent's view. */
    public static final String END_OF_MIB_VIEW = "endOfMibView";

    private final String oid;
    private final String type;
    private final Object value;
    private final boolean hex;

    /**
     * @param oid the dotted OID, e.g. {@code 1.3.6.1.2.1.1.5.0}
     * @param type the SNMP type name, one of this class's constants
     * @param value the value as described above, {@code null} for the exceptions and NULL
     * @param hex whether {@code value} is hex text of bytes
     */
    public SnmpVarbind(String oid, String type, Object value, boolean hex) {
        this.oid = Objects.requireNonNull(oid, "oid");
        this.type = Objects.requireNonNull(type, "type");
        this.value = value;
        this.hex = hex;
    }

    /** @return the dotted OID */
    public String oid() {
        return oid;
    }

    /** @return the SNMP type name */
    public String type() {
        return type;
    }

    /** @return the value (String, Long, BigInteger) or {@code null} */
    public Object value() {
        return value;
    }

    /** @return whether {@link #value()} is bytes as hex text ({@code 00:1a:2b}) */
    public boolean hex() {
        return hex;
    }

    /** @return whether the type is an SNMP exception (noSuchObject, noSuchInstance, endOfMibView) */
    public boolean isException() {
        return NO_SUCH_OBJECT.equals(type) || NO_SUCH_INSTANCE.equals(type) || END_OF_MIB_VIEW.equals(type);
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof SnmpVarbind)) {
            return false;
        }
        SnmpVarbind that = (SnmpVarbind) other;
        return oid.equals(that.oid) && type.equals(that.type) && Objects.equals(value, that.value) && hex == that.hex;
    }

    @Override
    public int hashCode() {
        return Objects.hash(oid, type, value, hex);
    }

    @Override
    public String toString() {
        return oid + " = " + type + ": " + value;
    }
}
