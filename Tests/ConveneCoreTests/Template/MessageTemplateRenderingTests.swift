import Testing

@testable import ConveneCore

/// Parses a body (under a fixed subject) and renders it; fails the test on any diagnostic.
private func renderBody(_ body: String, _ values: [String: String] = [:], subject: String = "Hi") throws
    -> RenderedTemplate
{
    let (template, diagnostics) = MessageTemplate.parse("subject: \(subject)\n---\n\(body)", name: "t", file: "t.txt")
    #expect(diagnostics.isEmpty, "\(diagnostics)")
    return try #require(template).render(values)
}

/// The HTML between the document wrapper's opening `<div …>` line and its closing `</div>`.
private func htmlBlocks(_ html: String) -> String {
    guard let open = html.range(of: "padding: 20px 15px;\">\n"), let close = html.range(of: "</div>\n</body>") else {
        return "no wrapper in: \(html)"
    }
    return String(html[open.upperBound..<close.lowerBound])
}

/// An independent HTML escape for the tests to compare with.
private func escaped(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        .replacingOccurrences(of: "'", with: "&#39;")
}

private let paragraphTag = #"<p style="margin: 0 0 20px 0;">"#
private let listItemTag = #"<li style="margin: 0 0 5px 0; padding: 0 0 0 5px;">"#
private let anchorStyle = #"style="color: #1d70b8; text-decoration: underline;""#

struct MessageTemplateBlockRenderingTests {
    static let cases: [(markup: String, plain: String, html: String)] = [
        ("Hello\nworld", "Hello\nworld\n", "\(paragraphTag)Hello<br>\nworld</p>\n"),
        ("One\n\n\nTwo", "One\n\nTwo\n", "\(paragraphTag)One</p>\n\(paragraphTag)Two</p>\n"),
        (
            "# Title\nText", "Title\n\nText\n",
            #"<h1 style="margin: 0 0 20px 0; font-size: 28px; line-height: 1.25; font-weight: bold;">Title</h1>"#
                + "\n\(paragraphTag)Text</p>\n"
        ),
        (
            "## Sub", "Sub\n",
            #"<h2 style="margin: 30px 0 15px 0; font-size: 22px; line-height: 1.25; font-weight: bold;">Sub</h2>"#
                + "\n"
        ),
        ("#hashtag", "#hashtag\n", "\(paragraphTag)#hashtag</p>\n"),
        (
            "* one\n- two\n\n• three", "• one\n• two\n• three\n",
            #"<ul style="margin: 0 0 20px 0; padding: 0 0 0 20px; list-style-type: disc;">"#
                + "\n\(listItemTag)one</li>\n\(listItemTag)two</li>\n\(listItemTag)three</li>\n</ul>\n"
        ),
        (
            "* item\n  continued\nafter", "• item\n  continued\n\nafter\n",
            #"<ul style="margin: 0 0 20px 0; padding: 0 0 0 20px; list-style-type: disc;">"#
                + "\n\(listItemTag)item<br>\ncontinued</li>\n</ul>\n\(paragraphTag)after</p>\n"
        ),
        (
            "1. first\n2. second", "1. first\n2. second\n",
            #"<ol style="margin: 0 0 20px 0; padding: 0 0 0 25px; list-style-type: decimal;">"#
                + "\n\(listItemTag)first</li>\n\(listItemTag)second</li>\n</ol>\n"
        ),
        (
            "9. nine\n1. ten\n   more", "9. nine\n10. ten\n    more\n",
            #"<ol start="9" style="margin: 0 0 20px 0; padding: 0 0 0 25px; list-style-type: decimal;">"#
                + "\n\(listItemTag)nine</li>\n\(listItemTag)ten<br>\nmore</li>\n</ol>\n"
        ),
        (
            "^ Note\n^more", "  Note\n  more\n",
            #"<blockquote style="margin: 0 0 20px 0; border-left: 10px solid #b1b4b6; padding: 15px 0 15px 15px;">"#
                + "Note<br>\nmore</blockquote>\n"
        ),
        (
            "a\n---\nb", "a\n\n----------------------------------------\n\nb\n",
            "\(paragraphTag)a</p>\n"
                + #"<hr style="border: 0; height: 1px; background: #b1b4b6; margin: 30px 0;">"#
                + "\n\(paragraphTag)b</p>\n"
        ),
        (
            "See [GOV.UK](https://www.gov.uk/?a=1&b=2).", "See GOV.UK (https://www.gov.uk/?a=1&b=2).\n",
            "\(paragraphTag)See <a href=\"https://www.gov.uk/?a=1&amp;b=2\" \(anchorStyle)>GOV.UK</a>.</p>\n"
        ),
        (
            "Email [us](mailto:team@example.gov.uk)", "Email us (mailto:team@example.gov.uk)\n",
            "\(paragraphTag)Email <a href=\"mailto:team@example.gov.uk\" \(anchorStyle)>us</a></p>\n"
        ),
        (
            "Go to https://www.gov.uk/x. Or (https://a.gov.uk/b_(c)).",
            "Go to https://www.gov.uk/x. Or (https://a.gov.uk/b_(c)).\n",
            "\(paragraphTag)Go to <a href=\"https://www.gov.uk/x\" \(anchorStyle)>https://www.gov.uk/x</a>. "
                + "Or (<a href=\"https://a.gov.uk/b_(c)\" \(anchorStyle)>https://a.gov.uk/b_(c)</a>).</p>\n"
        ),
        ("nohttps://x.gov.uk", "nohttps://x.gov.uk\n", "\(paragraphTag)nohttps://x.gov.uk</p>\n"),
        ("[draft] and [x] (y)", "[draft] and [x] (y)\n", "\(paragraphTag)[draft] and [x] (y)</p>\n"),
        (
            "Fish & <chips> \"q\" 'a'", "Fish & <chips> \"q\" 'a'\n",
            "\(paragraphTag)Fish &amp; &lt;chips&gt; &quot;q&quot; &#39;a&#39;</p>\n"
        ),
    ]

    @Test(arguments: cases)
    func markupRendersToPlainTextAndHTML(_ markup: String, _ plain: String, _ html: String) throws {
        let rendered = try renderBody(markup)
        #expect(rendered.plain == plain)
        #expect(htmlBlocks(rendered.html) == html)
    }

    @Test func htmlIsACompleteDocumentTitledWithTheSubject() throws {
        let rendered = try renderBody(
            "Body", ["eventtitle": "Risk & <Resilience>"], subject: "About ((event title))")
        #expect(rendered.html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"))
        #expect(rendered.html.contains("<title>About Risk &amp; &lt;Resilience&gt;</title>"))
        #expect(rendered.html.contains("<body style="))
        #expect(rendered.html.hasSuffix("</div>\n</body>\n</html>\n"))
        #expect(!rendered.html.contains("\r") && !rendered.plain.contains("\r"))
    }
}

struct MessageTemplateValueTests {
    static let values = ["firstname": "Zoë", "interim": "yes", "location": "Room 1"]

    /// Values that look like markup; each must come out as the very same text.
    static let markupLookingValues = [
        "((first name))", "((interim??shown))", "# Heading", "## Sub", "[a](https://evil.example)",
        "https://evil.example/x", "* item", "1. step", "^ inset", "---", "<b>bold</b> & <script>x</script>",
        "Zoë O'Brien-Müller, \"Jr\"",
    ]

    @Test(arguments: markupLookingValues)
    func aValueIsNeverReadAsMarkup(_ value: String) throws {
        let rendered = try renderBody(
            "((event title))\n\nTitle: ((event title))\n\n* ((event title))",
            Self.values.merging(["eventtitle": value]) { $1 },
            subject: "((event title))")
        #expect(rendered.subject == value)
        #expect(rendered.plain == "\(value)\n\nTitle: \(value)\n\n• \(value)\n")
        let html = htmlBlocks(rendered.html)
        #expect(
            html.hasPrefix(
                "\(paragraphTag)\(escaped(value))</p>\n\(paragraphTag)Title: \(escaped(value))</p>\n"
            ))
        #expect(html.contains("\(listItemTag)\(escaped(value))</li>"))
        #expect(!html.contains("<a ") && !html.contains("<h1") && !html.contains("<b>") && !html.contains("<script"))
    }

    @Test func multiLineValuesKeepTheirLinesInBothParts() throws {
        let values = ["description": "\n Line one\r\nLine <two>\rLine three\n\n"]
        let rendered = try renderBody(
            "About:\n((description))\n\n* ((description))\n\n^ ((description))", values)
        #expect(
            rendered.plain == """
                About:
                Line one
                Line <two>
                Line three

                • Line one
                  Line <two>
                  Line three

                  Line one
                  Line <two>
                  Line three

                """)
        #expect(
            htmlBlocks(rendered.html).hasPrefix(
                "\(paragraphTag)About:<br>\nLine one<br>\nLine &lt;two&gt;<br>\nLine three</p>\n"))
    }

    @Test func controlCharactersInBodyValuesBecomeSpaces() throws {
        let rendered = try renderBody("((name))", ["name": "a\u{0}b\u{7}c\u{1B}[31md\u{85}e\tf"])
        #expect(rendered.plain == "a b c [31md e\tf\n")
    }

    @Test(arguments: ["Evil\r\nBcc: victim@example.com", "Evil\nBcc: x", "Evil\rX", "Evil\u{2028}X", "Evil\u{0}X"])
    func theSubjectStaysOneLineWhateverTheValue(_ value: String) throws {
        let rendered = try renderBody("x", ["eventtitle": value], subject: "Re: ((event title))")
        #expect(!rendered.subject.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{2028}" })
        #expect(rendered.subject.hasPrefix("Re: Evil "))
    }

    @Test func subjectMarkupIsLiteralText() throws {
        let rendered = try renderBody(
            "x", ["name": "Zoë", "interim": "Y"], subject: "[a](https://x.gov.uk) # ((name)) * ((interim??acting))")
        #expect(rendered.subject == "[a](https://x.gov.uk) # Zoë * acting")
    }

    @Test(arguments: ["yes", "YES", " true ", "y", "1", "True"])
    func optionalTextShowsForTruthyValues(_ value: String) throws {
        let rendered = try renderBody(
            "Dear ((first name)),\n((interim??You are acting.))\nThanks", ["interim": value, "firstname": "Zoë"])
        #expect(rendered.plain == "Dear Zoë,\nYou are acting.\nThanks\n")
    }

    @Test(arguments: [nil, "no", "", "0", "false", "maybe", "yes please"])
    func optionalTextAndItsLineAreLeftOutOtherwise(_ value: String?) throws {
        var values = ["firstname": "Zoë"]
        values["interim"] = value
        let rendered = try renderBody(
            "Dear ((first name)),\n((interim??You are acting.))\nThanks\n\n((interim??Acting.))", values)
        #expect(rendered.plain == "Dear Zoë,\nThanks\n")
        #expect(htmlBlocks(rendered.html) == "\(paragraphTag)Dear Zoë,<br>\nThanks</p>\n")
    }

    @Test func linesWhosePlaceholdersAreAllEmptyAreLeftOut() throws {
        let body =
            "# ((event title))\n\n* Where: ((location))\n* When: ((event time))\n\n* Link: ((join url))\n\nStatic"
        let rendered = try renderBody(body, ["eventtime": "12:00", "location": "  "])
        #expect(rendered.plain == "• When: 12:00\n\nStatic\n")
        #expect(!rendered.html.contains("<h1") && !rendered.html.contains("Where") && !rendered.html.contains("Link"))
    }

    @Test func aLinkWithAnEmptyURLIsLeftOut() throws {
        let rendered = try renderBody(
            "[Join online](((join url)))\n\nBefore [Join](((join url))) after ((name))", ["name": "Zoë"])
        #expect(rendered.plain == "Before  after Zoë\n")
    }

    @Test func aLinkURLFromAValueIsEscapedInTheHref() throws {
        let url = "https://meet.example.gov.uk/?a=1&b=\"2\"<x>"
        let rendered = try renderBody(
            "[Join ((name))](((join url)))", ["joinurl": " \(url)\n", "name": "<Zoë>"])
        #expect(rendered.plain == "Join <Zoë> (\(url))\n")
        #expect(
            htmlBlocks(rendered.html)
                == "\(paragraphTag)<a href=\"\(escaped(url))\" \(anchorStyle)>Join &lt;Zoë&gt;</a></p>\n"
        )
    }

    @Test(arguments: [
        "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd", "//evil.example",
    ])
    func onlyWebAndMailLinksBecomeAnchors(_ url: String) throws {
        let rendered = try renderBody("[Join](((join url)))", ["joinurl": url])
        #expect(rendered.plain == "Join (\(url))\n")
        #expect(htmlBlocks(rendered.html) == "\(paragraphTag)Join (\(escaped(url)))</p>\n")
    }

    @Test func aLinkWhoseTextIsItsURLIsShownOnceInPlainText() throws {
        let rendered = try renderBody(
            "[((join url))](((join url)))", ["joinurl": "https://meet.example.gov.uk/x"])
        #expect(rendered.plain == "https://meet.example.gov.uk/x\n")
        #expect(htmlBlocks(rendered.html).contains(">https://meet.example.gov.uk/x</a>"))
    }

    @Test func aValueHoldingAURLIsTextNotALink() throws {
        let rendered = try renderBody("Join at ((join url))", ["joinurl": "https://meet.example.gov.uk/x"])
        #expect(!rendered.html.contains("<a "))
    }

    @Test func renderingTheSameValuesTwiceGivesTheSameBytes() throws {
        let template = try #require(
            MessageTemplate.parse(
                "subject: ((name))\n---\n# Hi ((name))\n\n* [x](https://x.gov.uk)", name: "t", file: "t.txt"
            ).template)
        #expect(template.render(["name": "Zoë"]) == template.render(["name": "Zoë"]))
        #expect(template.render(["name": "Zoë"]) != template.render(["name": "Zoe"]))
    }

    /// Ready-made HTML (the organizer's mailto link) stands in for the escaped value in running text only: the subject
    /// and the text part keep the value, a link's text keeps it escaped (an anchor inside an anchor is not HTML), and
    /// an empty value still leaves its line out.
    @Test func htmlValuesReplaceTheEscapedValueInRunningTextOnly() throws {
        let template = try #require(
            MessageTemplate.parse(
                "subject: Ask ((organizer))\n---\nAsk ((organizer)).\n\n[Write to ((organizer))](mailto:a@example.gov.uk)",
                name: "t", file: "t.txt"
            ).template)
        let html = "Team &lt;<a href=\"mailto:t@example.gov.uk\">t@example.gov.uk</a>&gt;"
        let rendered = template.render(["organizer": "Team <t@example.gov.uk>"], htmlValues: ["organizer": html])
        #expect(rendered.subject == "Ask Team <t@example.gov.uk>")
        #expect(
            rendered.plain
                == "Ask Team <t@example.gov.uk>.\n\nWrite to Team <t@example.gov.uk> (mailto:a@example.gov.uk)\n")
        #expect(
            htmlBlocks(rendered.html)
                == "\(paragraphTag)Ask \(html).</p>\n\(paragraphTag)<a href=\"mailto:a@example.gov.uk\" \(anchorStyle)>"
                + "Write to Team &lt;t@example.gov.uk&gt;</a></p>\n")
        let empty = template.render(["organizer": ""], htmlValues: ["organizer": html])
        #expect(!empty.html.contains("mailto:t@"))
    }
}
