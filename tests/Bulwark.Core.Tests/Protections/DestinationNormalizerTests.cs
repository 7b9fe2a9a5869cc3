using Bulwark.Core.Protections;

namespace Bulwark.Core.Tests.Protections;

public sealed class DestinationNormalizerTests
{
    [Theory]
    [InlineData("+15555550123")]
    [InlineData("+1 555 555 0123")]
    [InlineData("+1 (555) 555-0123")]
    [InlineData("+1.555.555.0123")]
    [InlineData("001 555 555 0123")]
    [InlineData("0015555550123")]
    [InlineData("15555550123")]
    [InlineData("  +1-555-555-0123  ")]
    [InlineData("+1\u00a0555\u2011555\u20110123")]
    [InlineData("+１５５５５５５０１２３")] // full-width digits
    [InlineData("+١٥٥٥٥٥٥٠١٢٣")] // Arabic-Indic digits
    public void Phone_spellings_of_one_number_are_one_destination(string written) =>
        Assert.Equal("15555550123", DestinationNormalizer.NormalizePhone(written));

    [Theory]
    [InlineData("07700 900123", "44", "447700900123")]
    [InlineData("+44 7700 900123", "44", "447700900123")]
    [InlineData("0044 7700 900123", "44", "447700900123")]
    [InlineData("07700 900123", null, "invalid")] // a national number without a country to put it in
    public void A_national_trunk_zero_takes_the_default_country_code(string written, string? country, string expected) =>
        Assert.Equal(expected, DestinationNormalizer.NormalizePhone(written, country));

    [Theory]
    [InlineData("+1 555 CALL NOW")]
    [InlineData("+1 555 555 0123 x12")]
    [InlineData("+1 555 555 0123; +1 555 555 0124")]
    [InlineData("12345")]
    [InlineData("+1234567890123456")] // 16 digits: longer than E.164 allows
    [InlineData("+0555550123")]
    [InlineData("++15555550123")]
    [InlineData("1+5555550123")]
    [InlineData("")]
    public void Implausible_numbers_all_share_the_invalid_destination(string written) =>
        Assert.Equal(DestinationNormalizer.Invalid, DestinationNormalizer.NormalizePhone(written));

    [Theory]
    [InlineData("alice@example.com", "alice@example.com")]
    [InlineData("  Alice@Example.COM ", "alice@example.com")]
    [InlineData("alice+otp@example.com", "alice@example.com")]
    [InlineData("alice+a+b@example.com.", "alice@example.com")]
    [InlineData("a.l.i.c.e@gmail.com", "alice@gmail.com")]
    [InlineData("A.Lice+x@GoogleMail.com", "alice@gmail.com")]
    [InlineData("a.lice@example.com", "a.lice@example.com")] // dots matter outside Gmail
    [InlineData("anna@bücher.example", "anna@xn--bcher-kva.example")]
    [InlineData("anna@xn--bcher-kva.example", "anna@xn--bcher-kva.example")]
    public void Email_spellings_of_one_mailbox_are_one_destination(string written, string expected) =>
        Assert.Equal(expected, DestinationNormalizer.NormalizeEmail(written));

    [Theory]
    [InlineData("alice")]
    [InlineData("@example.com")]
    [InlineData("alice@")]
    [InlineData("alice@localhost")]
    [InlineData("a@b@example.com")]
    [InlineData("+tag@example.com")]
    [InlineData("al ice@example.com")]
    [InlineData("alice@example..com")]
    public void Malformed_addresses_share_the_invalid_destination(string written) =>
        Assert.Equal(DestinationNormalizer.Invalid, DestinationNormalizer.NormalizeEmail(written));

    [Theory]
    [InlineData("15555550123", 5, "15555")]
    [InlineData("447700900123", 4, "4477")]
    [InlineData("alice@example.com", 5, "example.com")]
    [InlineData("invalid", 5, "invalid")]
    public void Prefixes_are_leading_digits_or_the_mail_domain(string normalized, int digits, string expected) =>
        Assert.Equal(expected, DestinationNormalizer.Prefix(normalized, digits));

    [Fact]
    public void Auto_tells_mail_from_phone_by_the_at_sign()
    {
        Assert.Equal("alice@example.com", DestinationNormalizer.Normalize("Alice+1@example.com", "auto"));
        Assert.Equal("15555550123", DestinationNormalizer.Normalize("+1 555 555 0123", "auto"));
        Assert.Equal(DestinationNormalizer.Invalid, DestinationNormalizer.Normalize("alice@example.com", "phone"));
    }
}
