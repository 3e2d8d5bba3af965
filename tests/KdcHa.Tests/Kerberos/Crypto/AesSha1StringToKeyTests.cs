using System;
using System.Text;
using KdcHa.Kerberos.Crypto;

namespace KdcHa.Tests.Kerberos.Crypto;

public class AesSha1StringToKeyTests
{
    private const string Athena = "ATHENA.MIT.EDUraeburn";

    // RFC 3962 Appendix B: iterations, password, salt, AES128 key, AES256 key.
    public static TheoryData<uint, string, string, string, string> Rfc3962Vectors => new()
    {
        { 1, "password", Athena, "42263c6e89f4fc28b8df68ee09799f15", "fe697b52bc0d3ce14432ba036a92e65bbb52280990a2fa27883998d72af30161" },
        { 2, "password", Athena, "c651bf29e2300ac27fa469d693bdda13", "a2e16d16b36069c135d5e9d2e25f896102685618b95914b467c67622225824ff" },
        { 1200, "password", Athena, "4c01cd46d632d01e6dbe230a01ed642a", "55a6ac740ad17b4846941051e1e8b0a7548d93b0ab30a8bc3ff16280382b8c2a" },
        { 5, "password", Encoding.ASCII.GetString(Convert.FromHexString("1234567878563412")), "e9b23d52273747dd5c35cb55be619d8e", "97a4e786be20d81a382d5ebc96d5909cabcdadc87ca48f574504159f16c36e31" },
        { 1200, new string('X', 64), "pass phrase equals block size", "59d1bb789a828b1aa54ef9c2883f69ed", "89adee3608db8bc71f1bfbfe459486b05618b70cbae22092534e56c553ba4b34" },
        { 1200, new string('X', 65), "pass phrase exceeds block size", "cb8005dc5f90179a7f02104c0018751d", "d78c5c9cb872a8c9dad4697f0bb5b2d21496c82beb2caeda2112fceea057401b" },
        { 50, "\U0001D11E", "EXAMPLE.COMpianist", "f149c1f2e154a73452d43e7fe62a56e5", "4b6d9839f84406df1f09cc166db4b83c571848b784a3d6bdc346589a3e393f9e" },
    };

    [Theory]
    [MemberData(nameof(Rfc3962Vectors))]
    public void StringToKey_MatchesRfc3962Vectors(uint iterations, string password, string salt, string aes128Hex, string aes256Hex)
    {
        var parameters = new[] { (byte)(iterations >> 24), (byte)(iterations >> 16), (byte)(iterations >> 8), (byte)iterations };

        var aes128 = KerberosEncryption.Get(EncryptionType.Aes128CtsHmacSha196).StringToKey(password, salt, parameters);
        var aes256 = KerberosEncryption.Get(EncryptionType.Aes256CtsHmacSha196).StringToKey(password, salt, parameters);

        Assert.Equal(aes128Hex, Convert.ToHexStringLower(aes128));
        Assert.Equal(aes256Hex, Convert.ToHexStringLower(aes256));
    }

    [Fact]
    public void Pbkdf2_MatchesRfc3962IntermediateOutput()
    {
        var aes256 = (AesCtsHmacEncryption)KerberosEncryption.Get(EncryptionType.Aes256CtsHmacSha196);

        var derived = aes256.TemporaryKey("password", Encoding.ASCII.GetBytes(Athena), 1);

        Assert.Equal("cdedb5281bb2f801565a1122b25635150ad1f7a04bb9f3a333ecc0e2e1f70837", Convert.ToHexStringLower(derived));
    }
}
