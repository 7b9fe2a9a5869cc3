namespace Bulwark.Core.Simulation.Scenarios;

/// <summary>Users of the shop's mobile app on one carrier-grade NAT address: many people, one IP, app (library) TLS.</summary>
internal sealed class CgnatMobileApp : Scenario
{
    private const int Users = 400;

    public override string Name => "cgnat-mobile";

    public override string Label => "legit:cgnat_mobile";

    public override string Description => $"{Users} mobile-app users behind one CGNAT address of a mobile carrier, logging in and shopping";

    public override void Generate(ScenarioContext context)
    {
        var ip = context.Data.Mobile.Next(context.Random);
        var android = context.NewScript("ShopApp/5.12.0 (Android 14; Pixel 7) okhttp/4.12.0");
        var ios = context.NewScript("ShopApp/5.12.0 (iPhone; iOS 18.1; Scale/3.00) CFNetwork/1568.200.51 Darwin/24.1.0");
        for (var u = 0; u < Users; u++)
        {
            var app = context.Random.Next(2) == 0 ? android : ios;
            var account = $"user{context.Random.Next(1, 200_000)}@example.com";
            var session = context.NewId("m_");
            var t = context.Between(context.Start, context.End - TimeSpan.FromMinutes(10));
            if (context.Random.NextDouble() < 0.05)
            {
                context.Emit(app.Request(t, ip, "POST", "/api/auth/login", 401, body: Json.Body(("username", account), ("password", context.TypoOf(account))), account: account, accept: "application/json"));
                t += context.ThinkTime();
            }

            context.Emit(app.Request(t, ip, "POST", "/api/auth/login", 200, body: Json.Body(("username", account), ("password", context.PasswordOf(account))), account: account, accept: "application/json"));
            t += TimeSpan.FromMilliseconds(200 + context.Random.Next(400));
            context.Emit(app.Request(t, ip, "GET", "/api/account", 200, account: account, session: session, accept: "application/json"));
            var steps = 2 + context.Random.Next(8);
            for (var s = 0; s < steps; s++)
            {
                t += context.ThinkTime();
                var id = context.PopularProductId();
                var request = context.Random.Next(3) switch
                {
                    0 => app.Request(t, ip, "GET", "/api/search", 200, query: "q=" + Uri.EscapeDataString(context.SearchTerm()), account: account, session: session, accept: "application/json"),
                    1 => app.Request(t, ip, "GET", $"/api/products/{id}", DemoApiAnswers.Product(id), account: account, session: session, accept: "application/json"),
                    _ => app.Request(t, ip, "GET", $"/api/products/{id}", DemoApiAnswers.Product(id), account: account, session: session, accept: "application/json"),
                };
                context.Emit(request);
            }

            if (context.Random.NextDouble() < 0.25)
            {
                t += context.ThinkTime();
                context.Emit(app.Request(t, ip, "POST", "/api/cart/items", 201, body: Json.Body(("sku", "SKU-" + context.PopularProductId()), ("qty", 1)), account: account, session: session, accept: "application/json"));
            }
        }
    }
}
