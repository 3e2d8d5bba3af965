using System.Collections.Generic;

namespace KdcHa.Common.DBus;

/// <summary>
/// DBus type signatures: validation against the specification's limits (255 bytes, 32 nested arrays, 32 nested
/// structs, dict entries only as array elements with a basic key) and splitting into single complete types.
/// Unix file descriptors (h) are refused: this client never negotiates them.
/// </summary>
internal static class DBusSignature
{
    public const int MaximumLength = 255;
    public const int MaximumArrayDepth = 32;
    public const int MaximumStructDepth = 32;

    private const string BasicTypes = "ybnqiuxtdsog";

    /// <exception cref="DBusProtocolException">Not a valid signature.</exception>
    public static IReadOnlyList<string> CompleteTypes(string signature)
    {
        if (signature.Length > MaximumLength)
        {
            throw new DBusProtocolException($"A DBus signature is at most {MaximumLength} bytes; this one has {signature.Length}.");
        }

        var types = new List<string>();
        var start = 0;
        while (start < signature.Length)
        {
            var end = CompleteTypeEnd(signature, start, arrayDepth: 0, structDepth: 0);
            types.Add(signature.Substring(start, end - start));
            start = end;
        }

        return types;
    }

    /// <exception cref="DBusProtocolException">Not exactly one complete type, as a variant must hold.</exception>
    public static void RequireSingleCompleteType(string signature)
    {
        if (CompleteTypes(signature).Count != 1)
        {
            throw new DBusProtocolException($"A DBus variant holds exactly one complete type, not '{signature}'.");
        }
    }

    /// <summary>Where the single complete type starting at <paramref name="start"/> ends.</summary>
    public static int CompleteTypeEnd(string signature, int start) => CompleteTypeEnd(signature, start, arrayDepth: 0, structDepth: 0);

    public static bool IsBasic(char code) => BasicTypes.IndexOf(code) >= 0;

    /// <summary>The alignment of values of the type starting with <paramref name="code"/>.</summary>
    public static int Alignment(char code) => code switch
    {
        'y' or 'g' or 'v' => 1,
        'n' or 'q' => 2,
        'b' or 'i' or 'u' or 's' or 'o' or 'a' => 4,
        _ => 8,
    };

    private static int CompleteTypeEnd(string signature, int start, int arrayDepth, int structDepth)
    {
        var code = signature[start];
        if (IsBasic(code) || code == 'v')
        {
            return start + 1;
        }

        switch (code)
        {
            case 'a':
                if (arrayDepth == MaximumArrayDepth)
                {
                    throw new DBusProtocolException($"The DBus signature '{signature}' nests more than {MaximumArrayDepth} arrays.");
                }

                if (start + 1 >= signature.Length)
                {
                    throw new DBusProtocolException($"The DBus signature '{signature}' ends in an array without an element type.");
                }

                return signature[start + 1] == '{'
                    ? DictEntryEnd(signature, start + 1, arrayDepth + 1, structDepth)
                    : CompleteTypeEnd(signature, start + 1, arrayDepth + 1, structDepth);
            case '(':
                if (structDepth == MaximumStructDepth)
                {
                    throw new DBusProtocolException($"The DBus signature '{signature}' nests more than {MaximumStructDepth} structs.");
                }

                var position = start + 1;
                while (position < signature.Length && signature[position] != ')')
                {
                    position = CompleteTypeEnd(signature, position, arrayDepth, structDepth + 1);
                }

                if (position >= signature.Length || position == start + 1)
                {
                    throw new DBusProtocolException($"The DBus signature '{signature}' has an unclosed or empty struct.");
                }

                return position + 1;
            default:
                throw new DBusProtocolException($"The DBus signature '{signature}' has '{code}' where a type belongs.");
        }
    }

    private static int DictEntryEnd(string signature, int start, int arrayDepth, int structDepth)
    {
        if (structDepth == MaximumStructDepth)
        {
            throw new DBusProtocolException($"The DBus signature '{signature}' nests more than {MaximumStructDepth} structs.");
        }

        if (start + 1 >= signature.Length || !IsBasic(signature[start + 1]))
        {
            throw new DBusProtocolException($"The DBus signature '{signature}' has a dict entry without a basic key.");
        }

        var valueEnd = start + 2 < signature.Length
            ? CompleteTypeEnd(signature, start + 2, arrayDepth, structDepth + 1)
            : throw new DBusProtocolException($"The DBus signature '{signature}' has a dict entry without a value.");
        return valueEnd < signature.Length && signature[valueEnd] == '}'
            ? valueEnd + 1
            : throw new DBusProtocolException($"The DBus signature '{signature}' has a dict entry that is not closed after its value.");
    }
}
