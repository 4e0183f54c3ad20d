package dev.trackpipeline.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.GZIPOutputStream;

/** Session recordings as the web-see SDK sends them, made up for the browser tests. */
final class WebSeeRecordings {

    private WebSeeRecordings() {
    }

    /** A recording's {@code events} as the SDK encodes them: base64(gzip(base64(UTF-8 JSON))). */
    static String encode(String eventsJson) {
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(gzipped)) {
            gzip.write(Base64.getEncoder().encode(eventsJson.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(gzipped.toByteArray());
    }

    /**
     * rrweb 1.x events of a page an attacker recorded, or made up: a script, inline handlers, a
     * {@code javascript:} link and frame, a frame whose {@code srcdoc} holds a script, each of which
     * would set {@code injected} on the dashboard's window if it ran; and what a browser fetches by
     * itself, each from {@code elsewhere} (the attacker's server): an image, a preconnect, a meta
     * refresh, a style sheet's {@code @import} and background, an object, a video's poster, an image
     * in the {@code srcdoc}, and preconnects: named in capitals, in the page, added and set by a
     * change (a browser lower-cases the name), in a {@code srcdoc} and one set by a change, and one
     * of an element whose tag is a list (rrweb makes it "link"). A style sheet rrweb inlined, added
     * by a change, colours the heading rgb(1, 2, 3). Two style sheets that would keep rrweb's
     * CSS rewriting busy for hours (an unclosed comment over 40 lines), as a style's text and as a
     * sheet rrweb inlined. A second in, a DOM change adds an image whose handler would run in the
     * player's own page (rrweb holds the nodes of changes it skips over there): play it from over a
     * second in.
     */
    static String hostilePage(long startMillis, String elsewhere) {
        String injected = "parent.parent.injected";
        String busyCss = "a/*" + "\\n".repeat(40) + "x";
        return """
                [{"type":4,"timestamp":%1$d,"data":{"href":"http://hostile.example/","width":800,"height":600}},
                 {"type":2,"timestamp":%2$d,"data":{"initialOffset":{"left":0,"top":0},"node":{"type":0,"id":1,"childNodes":[
                   {"type":1,"name":"html","publicId":"","systemId":"","id":2},
                   {"type":2,"tagName":"html","attributes":{},"id":3,"childNodes":[
                     {"type":2,"tagName":"head","attributes":{},"id":4,"childNodes":[
                       {"type":2,"tagName":"script","attributes":{},"id":5,"childNodes":[{"type":3,"textContent":"%3$s='script'","id":6}]},
                       {"type":2,"tagName":"meta","attributes":{"http-equiv":"refresh","content":"0;url=%6$s/refresh"},"id":30,"childNodes":[]},
                       {"type":2,"tagName":"style","attributes":{},"id":31,"childNodes":[{"type":3,"isStyle":true,
                         "textContent":"@import url(%6$s/import.css); body { background: url(%6$s/background.png) }","id":32}]},
                       {"type":2,"tagName":"link","attributes":{"REL":"preconnect","href":"%6$s/capitals"},"id":37,"childNodes":[]},
                       {"type":2,"tagName":"style","attributes":{},"id":38,"childNodes":[{"type":3,"isStyle":true,"textContent":"%7$s","id":39}]},
                       {"type":2,"tagName":"link","attributes":{"rel":"stylesheet","_cssText":"%7$s"},"id":40,"childNodes":[]},
                       {"type":2,"tagName":"link","attributes":{"href":"%6$s/changed"},"id":41,"childNodes":[]},
                       {"type":2,"tagName":["link"],"attributes":{"rel":"preconnect","href":"%6$s/array-tag"},"id":42,"childNodes":[]}]},
                     {"type":2,"tagName":"body","attributes":{"onload":"%3$s='onload'"},"id":7,"childNodes":[
                       {"type":2,"tagName":"h1","attributes":{},"id":8,"childNodes":[{"type":3,"textContent":"Hostile page","id":9}]},
                       {"type":2,"tagName":"img","attributes":{"src":"x","onerror":"%3$s='onerror'"},"id":10,"childNodes":[]},
                       {"type":2,"tagName":"a","attributes":{"href":"javascript:%3$s='href'"},"id":11,"childNodes":[{"type":3,"textContent":"click me","id":12}]},
                       {"type":2,"tagName":"iframe","attributes":{"src":"javascript:parent.%3$s='iframe'"},"id":13,"childNodes":[]},
                       {"type":2,"tagName":"iframe","attributes":{
                         "srcdoc":"<script>parent.%3$s='srcdoc'</script><img src='%6$s/srcdoc.png'><link rel='preconnect' href='%6$s/srcdoc-pc'>"},
                         "id":33,"childNodes":[]},
                       {"type":2,"tagName":"img","attributes":{"src":"%6$s/tracking.png"},"id":14,"childNodes":[]},
                       {"type":2,"tagName":"link","attributes":{"rel":"preconnect","href":"%6$s/"},"id":15,"childNodes":[]},
                       {"type":2,"tagName":"object","attributes":{"data":"%6$s/object.swf"},"id":34,"childNodes":[]},
                       {"type":2,"tagName":"video","attributes":{"poster":"%6$s/poster.png","src":"%6$s/video.mp4"},"id":35,"childNodes":[]},
                       {"type":2,"tagName":"svg","attributes":{"onload":"%3$s='svg'"},"isSVG":true,"id":36,"childNodes":[]}]}]}]}}},
                 {"type":3,"timestamp":%4$d,"data":{"source":0,"texts":[],"attributes":[{"id":41,"attributes":{"REL":"preconnect"}},
                   {"id":13,"attributes":{"SrcDoc":"<link rel='preconnect' href='%6$s/changed-srcdoc'>"}}],
                   "removes":[],"adds":[{"parentId":7,"nextId":null,
                   "node":{"type":2,"tagName":"img","attributes":{"src":"data:,","onerror":"parent.injected='mutation'"},"id":20,"childNodes":[]}},
                   {"parentId":4,"nextId":null,"node":{"type":2,"tagName":"link","attributes":{"Rel":"PreConnect","href":"%6$s/added"},"id":21,
                   "childNodes":[]}},
                   {"parentId":4,"nextId":null,"node":{"type":2,"tagName":"link","attributes":{"rel":"stylesheet",
                   "_cssText":"h1 { color: rgb(1, 2, 3); }"},"id":22,"childNodes":[]}}]}},
                 {"type":3,"timestamp":%5$d,"data":{"source":1,"positions":[{"x":10,"y":10,"id":8,"timeOffset":0}]}}]
                """.formatted(startMillis, startMillis + 10, injected, startMillis + 1000, startMillis + 9000, elsewhere, busyCss);
    }

    /** rrweb 1.x events that decode but that rrweb cannot rebuild: a snapshot whose document has no child list. */
    static String unplayable(long startMillis) {
        return """
                [{"type":4,"timestamp":%1$d,"data":{"href":"http://broken.example/","width":800,"height":600}},
                 {"type":2,"timestamp":%2$d,"data":{"initialOffset":{"left":0,"top":0},"node":{"type":0,"id":1}}},
                 {"type":3,"timestamp":%3$d,"data":{"source":1,"positions":[{"x":10,"y":10,"id":1,"timeOffset":0}]}}]
                """.formatted(startMillis, startMillis + 10, startMillis + 9000);
    }
}
