// java.net.http.HttpClient as a Java program uses it (HTTP/2 preferred, the JDK's default TLS), with a trust manager that
// accepts the test's self-signed certificate. Run as a single-file program: java JavaHttpClient.java URL [USER-AGENT];
// prints "STATUS VERSION". Hostname checks are off with -Djdk.internal.httpclient.disableHostnameVerification=true.
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

public class JavaHttpClient {
    public static void main(String[] args) throws Exception {
        TrustManager[] trustAll = { new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] chain, String authType) { }
            public void checkServerTrusted(X509Certificate[] chain, String authType) { }
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        } };
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trustAll, null);
        HttpClient client = HttpClient.newBuilder().sslContext(tls).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(args[0]));
        if (args.length > 1) request.header("User-Agent", args[1]);
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        System.out.println(response.statusCode() + " " + response.version());
    }
}
