using System;
using System.Text;
using KdcHa.Kerberos.Crypto;

namespace KdcHa.Tests.Kerberos.Crypto;

public class NFoldTests
{
    // RFC 3961 Appendix A.1.
    [Theory]
    [InlineData("012345", 64, "be072631276b1955")]
    [InlineData("password", 56, "78a07b6caf85fa")]
    [InlineData("Rough Consensus, and Running Code", 64, "bb6ed30870b7f0e0")]
    [InlineData("password", 168, "59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e")]
    [InlineData("MASSACHVSETTS INSTITVTE OF TECHNOLOGY", 192, "db3b0d8f0b061e603282b308a50841229ad798fab9540c1b")]
    [InlineData("Q", 168, "518a54a215a8452a518a54a215a8452a518a54a215")]
    [InlineData("ba", 168, "fb25d531ae8974499f52fd92ea9857c4ba24cf297e")]
    [InlineData("kerberos", 64, "6b65726265726f73")]
    [InlineData("kerberos", 128, "6b65726265726f737b9b5b2b93132b93")]
    [InlineData("kerberos", 168, "8372c236344e5f1550cd0747e15d62ca7a5a3bcea4")]
    [InlineData("kerberos", 256, "6b65726265726f737b9b5b2b93132b935c9bdcdad95c9899c4cae4dee6d6cae4")]
    public void Fold_MatchesRfc3961Vectors(string input, int outputBits, string expectedHex)
    {
        var folded = NFold.Fold(Encoding.ASCII.GetBytes(input), outputBits / 8);

        Assert.Equal(expectedHex, Convert.ToHexStringLower(folded));
    }
}
