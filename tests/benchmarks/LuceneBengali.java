// Lucene's BengaliAnalyzer (Elasticsearch's and OpenSearch's `bengali` analyzer) as a line filter: every line of
// standard input comes out as its analysed tokens, space-separated. Used by bench_search.py to score Lucene on
// the Bangla evaluation set; compiled and run by it when Debian's liblucene8-java and a JDK are installed.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.bn.BengaliAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

public class LuceneBengali {
    public static void main(String[] args) throws Exception {
        Analyzer analyzer = new BengaliAnalyzer();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        String line;
        while ((line = in.readLine()) != null) {
            StringBuilder tokens = new StringBuilder();
            try (TokenStream stream = analyzer.tokenStream("body", line)) {
                CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
                stream.reset();
                while (stream.incrementToken()) {
                    if (tokens.length() > 0) tokens.append(' ');
                    tokens.append(term.toString());
                }
                stream.end();
            }
            out.println(tokens);
        }
    }
}
