/// The HTML vocabulary of a rendered message: GOV.UK-style inline styles, so that mail clients that
/// drop `<style>` elements (Gmail, Outlook) still show the same thing.
enum TemplateHTML {
    static let heading1 = #"<h1 style="margin: 0 0 20px 0; font-size: 28px; line-height: 1.25; font-weight: bold;">"#
    static let heading2 = #"<h2 style="margin: 30px 0 15px 0; font-size: 22px; line-height: 1.25; font-weight: bold;">"#
    static let paragraph = #"<p style="margin: 0 0 20px 0;">"#
    static let bulletList = #"<ul style="margin: 0 0 20px 0; padding: 0 0 0 20px; list-style-type: disc;">"#
    static let listItem = #"<li style="margin: 0 0 5px 0; padding: 0 0 0 5px;">"#
    static let inset =
        #"<blockquote style="margin: 0 0 20px 0; border-left: 10px solid #b1b4b6; padding: 15px 0 15px 15px;">"#
    static let rule = #"<hr style="border: 0; height: 1px; background: #b1b4b6; margin: 30px 0;">"#

    /// `<ol>`, with a `start` attribute only when the list does not start at 1.
    static func numberedList(start: Int) -> String {
        let startAttribute = start == 1 ? "" : #" start="\#(start)""#
        return #"<ol\#(startAttribute) style="margin: 0 0 20px 0; padding: 0 0 0 25px; list-style-type: decimal;">"#
    }

    /// An anchor; `href` is the raw URL (escaped here), `html` the already-escaped link text.
    static func anchor(href: String, html: String) -> String {
        #"<a href="\#(TemplateFormatting.html(href))" style="color: #1d70b8; text-decoration: underline;">\#(html)</a>"#
    }

    /// Wraps the body blocks in a small, complete document; `subject` becomes the `<title>`.
    static func document(subject: String, body: String) -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(TemplateFormatting.html(subject))</title>
            </head>
            <body style="margin: 0; padding: 0; background: #ffffff; color: #0b0c0c; \
            font-family: Helvetica, Arial, sans-serif; font-size: 19px; line-height: 1.32;">
            <div style="max-width: 580px; margin: 0 auto; padding: 20px 15px;">

            """
        out.reserveCapacity(out.utf8.count + body.utf8.count + 32)
        out += body
        out += "</div>\n</body>\n</html>\n"
        return out
    }
}
