namespace Bulwark.Core.Simulation.Scenarios;

/// <summary>The demo shop's human flows, with think times between steps; each returns the time of its last step.</summary>
internal static class HumanFlows
{
    /// <summary>Home → 1–3 searches, each followed by 1–4 product pages → sometimes add to cart.</summary>
    public static DateTimeOffset Shop(ScenarioContext c, BrowserClient b, DateTimeOffset t, bool loadHome = true)
    {
        if (loadHome)
        {
            c.Emit(b.Page(t, "/"));
            t += c.ThinkTime();
        }

        var viewed = new List<long>();
        var searches = 1 + c.Random.Next(3);
        for (var s = 0; s < searches; s++)
        {
            var term = c.SearchTerm();
            c.Emit(b.Api(t, "GET", "/api/search", "q=" + Uri.EscapeDataString(term), null, 200));
            b.Referer = "https://shop.example/search?q=" + Uri.EscapeDataString(term);
            t += c.ThinkTime();
            var products = 1 + c.Random.Next(4);
            for (var p = 0; p < products; p++)
            {
                var id = c.PopularProductId();
                viewed.Add(id);
                c.Emit(b.Api(t, "GET", $"/api/products/{id}", null, null, DemoApiAnswers.Product(id)));
                b.Referer = $"https://shop.example/products/{id}";
                t += c.ThinkTime();
            }
        }

        if (c.Random.NextDouble() < 0.3)
        {
            var items = 1 + c.Random.Next(2);
            for (var i = 0; i < items; i++)
            {
                var qty = 1 + c.Random.Next(3);
                c.Emit(b.Api(t, "POST", "/api/cart/items", null, Json.Body(("sku", "SKU-" + viewed[c.Random.Next(viewed.Count)]), ("qty", qty)), DemoApiAnswers.Cart(qty)));
                t += c.ThinkTime();
            }
        }

        return t;
    }

    /// <summary>Home → login (sometimes a mistyped password first) → account → select an account.</summary>
    public static DateTimeOffset Account(ScenarioContext c, BrowserClient b, DateTimeOffset t, string account, bool loadHome = true)
    {
        if (loadHome)
        {
            c.Emit(b.Page(t, "/"));
            t += c.ThinkTime();
        }

        if (c.Random.NextDouble() < 0.08)
        {
            c.Emit(b.Api(t, "POST", "/api/auth/login", null, Json.Body(("username", account), ("password", c.TypoOf(account, c.Random.Next(1000)))), 401, account));
            t += c.ThinkTime();
        }

        c.Emit(b.Api(t, "POST", "/api/auth/login", null, Json.Body(("username", account), ("password", c.PasswordOf(account))), 200, account));
        b.Account = account;
        t += TimeSpan.FromSeconds(0.3 + c.Random.NextDouble()); // the app loads the account page right after login
        c.Emit(b.Api(t, "GET", "/api/account", null, null, 200));
        t += c.ThinkTime();
        c.Emit(b.Api(t, "POST", "/api/account/select", null, Json.Body(("account", c.Random.Next(2) == 0 ? "checking" : "savings")), 200));
        return t + c.ThinkTime();
    }
}
