package io.midway.protocol.snmp.internal;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import org.snmp4j.smi.Counter64;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.SMIConstants;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;

import io.midway.protocol.snmp.SnmpVarbind;

/** Turns SNMP4J variable bindings into {@link SnmpVarbind}s with SNMP type names and JSON-friendly values. */
final class VarbindFormatter {

    private VarbindFormatter() {
    }

    static SnmpVarbind format(VariableBinding binding) {
        String oid = binding.getOid().toDottedString();
        Variable variable = binding.getVariable();
        if (variable == null) {
            return new SnmpVarbind(oid, SnmpVarbind.NULL, null, false);
        }
        switch (variable.getSyntax()) {
            case SMIConstants.EXCEPTION_NO_SUCH_OBJECT:
                return new SnmpVarbind(oid, SnmpVarbind.NO_SUCH_OBJECT, null, false);
            case SMIConstants.EXCEPTION_NO_SUCH_INSTANCE:
                return new SnmpVarbind(oid, SnmpVarbind.NO_SUCH_INSTANCE, null, false);
            case SMIConstants.EXCEPTION_END_OF_MIB_VIEW:
                return new SnmpVarbind(oid, SnmpVarbind.END_OF_MIB_VIEW, null, false);
            case SMIConstants.SYNTAX_NULL:
                return new SnmpVarbind(oid, SnmpVarbind.NULL, null, false);
            case SMIConstants.SYNTAX_INTEGER:
                return new SnmpVarbind(oid, SnmpVarbind.INTEGER, (long) variable.toInt(), false);
            case SMIConstants.SYNTAX_COUNTER32:
                return new SnmpVarbind(oid, SnmpVarbind.COUNTER32, variable.toLong(), false);
            case SMIConstants.SYNTAX_GAUGE32:
                return new SnmpVarbind(oid, SnmpVarbind.GAUGE32, variable.toLong(), false);
            case SMIConstants.SYNTAX_TIMETICKS:
                return new SnmpVarbind(oid, SnmpVarbind.TIMETICKS, variable.toLong(), false);
            case SMIConstants.SYNTAX_COUNTER64: {
                long value = ((Counter64) variable).getValue();
                Object number = value >= 0 ? (Object) value : new BigInteger(Long.toUnsignedString(value));
                return new SnmpVarbind(oid, SnmpVarbind.COUNTER64, number, false);
            }
            case SMIConstants.SYNTAX_OBJECT_IDENTIFIER:
                return new SnmpVarbind(oid, SnmpVarbind.OID, ((org.snmp4j.smi.OID) variable).toDottedString(), false);
            case SMIConstants.SYNTAX_IPADDRESS:
                return new SnmpVarbind(oid, SnmpVarbind.IP_ADDRESS, variable.toString(), false);
            case SMIConstants.SYNTAX_OPAQUE:
                return new SnmpVarbind(oid, SnmpVarbind.OPAQUE, hex(((OctetString) variable).getValue()), true);
            case SMIConstants.SYNTAX_OCTET_STRING: {
                byte[] bytes = ((OctetString) variable).getValue();
                String text = printable(bytes);
                return text != null ? new SnmpVarbind(oid, SnmpVarbind.OCTET_STRING, text, false)
                        : new SnmpVarbind(oid, SnmpVarbind.OCTET_STRING, hex(bytes), true);
            }
            default:
                return new SnmpVarbind(oid, variable.getSyntaxString(), variable.toString(), false);
        }
    }

    /**
     * @return the bytes as text when they are valid UTF-8 without control characters (tab, line
     *     breaks and one trailing NUL allowed), else {@code null}
     */
    static String printable(byte[] bytes) {
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == 0) {
            length--; // some agents end strings with a NUL
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
                return null;
            }
        }
        return text;
    }

    static String hex(byte[] bytes) {
        StringBuilder text = new StringBuilder(bytes.length * 3);
        for (byte b : bytes) {
            if (text.length() > 0) {
                text.append(':');
            }
            text.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return text.toString();
    }
}
