"""English page furniture on small built pages: one test per body-selection rule (captions, teaser grids,
author boxes, desktop-hidden blocks, link lists around the article, listicles, placeholders, related boxes)."""
from __future__ import annotations

from crawler.extract import extract

SENTENCES = [
    "The city council approved the new transit budget on Tuesday after a long debate about bus routes.",
    "Officials said the plan adds twelve routes and extends evening service across the northern districts.",
    "Residents who spoke at the meeting asked for more frequent buses near schools and the main hospital.",
    "The budget also funds repairs to older shelters, new lighting and a pilot of real-time arrival signs.",
    "Council members expect the first new routes to start running early next spring, weather permitting.",
    "A review of ridership numbers is planned after six months to decide which routes should be extended.",
]


def page(body: str, title: str = "Council approves transit budget") -> bytes:
    return (f"<html lang='en'><head><title>{title}</title></head><body>{body}</body></html>").encode()


def paragraphs(items=SENTENCES) -> str:
    return "".join(f"<p>{s}</p>" for s in items)


def test_figure_captions_and_credits_stay_out_but_a_table_in_a_figure_stays():
    html = page("<h1>Council approves transit budget</h1><div class='entry-content'>" + paragraphs(SENTENCES[:3])
                + "<figure><img src='a.jpg'><figcaption>Commuters wait for a bus downtown on Monday morning. "
                  "Photo by Jane Smith for the Daily.</figcaption></figure>"
                + "<figure><div class='credit'>Getty Images / Staff photographer</div></figure>"
                + "<figure class='wp-block-table'><table><tr><td>Route 12 northern loop</td><td>every 10 minutes"
                  "</td></tr></table></figure>" + paragraphs(SENTENCES[3:]) + "</div>")
    body = extract(html).body
    assert SENTENCES[0] in body and SENTENCES[-1] in body
    assert "Commuters wait" not in body and "Getty Images" not in body
    assert "Route 12 northern loop" in body


def test_a_posts_grid_is_excluded_although_post_is_an_article_word():
    teasers = "".join(f"<article class='elementor-post'><h3><a href='/p{i}'>Other story number {i}</a></h3>"
                      f"<div class='elementor-post__excerpt'><p>This is the teaser of another story, number {i}, "
                      f"which readers of this blog might also enjoy reading later today.</p></div></article>"
                      for i in range(3))
    html = page("<div class='post-body'>" + paragraphs() + "<div class='elementor-posts-container'>" + teasers
                + "</div></div>")
    body = extract(html).body
    assert SENTENCES[0] in body and "teaser of another story" not in body


def test_an_author_box_is_excluded_beside_an_article_word_and_still_names_the_author():
    html = page("<article><h1>Council approves transit budget</h1><div class='entry-content'>" + paragraphs()
                + "<div class='entry-author-bio'><h4>Author: Maria Lopez</h4><p>Maria Lopez has covered city "
                  "hall and local transport for the paper since 2015, and lives in the northern districts.</p>"
                  "</div></div></article>")
    article = extract(html)
    assert SENTENCES[-1] in article.body and "covered city hall" not in article.body
    assert article.author == "Maria Lopez"


def test_a_block_hidden_on_desktop_is_excluded():
    html = page("<div class='content'>" + paragraphs(SENTENCES[:4])
                + "<section class='elementor-section elementor-hidden-desktop elementor-hidden-tablet'>"
                  "<p>This mobile-only copy of the course list should never be shown on a desktop browser at all, "
                  "since the same text appears elsewhere on the page.</p></section>"
                + paragraphs(SENTENCES[4:]) + "</div>")
    body = extract(html).body
    assert SENTENCES[-1] in body and "mobile-only copy" not in body


def test_a_flagged_link_list_still_counts_against_a_wrapper_around_the_article():
    # the menu is excluded; it must still weigh on <body>, or <body> (article + consent text) would win
    menu = "<nav><ul>" + "".join(f"<li><a href='/s{i}'>Section number {i}</a></li>" for i in range(30)) + "</ul></nav>"
    consent = ("<div class='consent'><p>We use tracking technologies to improve your browsing experience on our "
               "site, show personalized content and analyze site traffic, as explained in our policy.</p></div>")
    html = page(menu + "<div class='story'>" + paragraphs() + "</div>" + consent)
    body = extract(html).body
    assert SENTENCES[0] in body and "tracking technologies" not in body


def test_a_listicle_split_by_link_lists_is_read_whole():
    links = "<ul class='list'>" + "".join(f"<li><a href='/m{i}'>Mover company name {i} and city</a></li>"
                                          for i in range(40)) + "</ul>"
    reviews = [f"<div class='review'><h3>Mover {k}</h3>" + paragraphs([s.replace('.', f' for mover {k}.')
                                                                          for s in SENTENCES[:3]]) + "</div>"
               for k in range(4)]
    html = page("<article><h1>Best movers</h1>" + reviews[0] + links + reviews[1] + links + reviews[2] + links
                + reviews[3] + "</article>", title="Best movers")
    body = extract(html).body
    for k in range(4):
        assert f"for mover {k}." in body
    assert "Mover company name 3 and city" not in body


def test_placeholder_text_is_not_body():
    lorem = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et "
             "dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris.")
    html = page("<div class='content'>" + paragraphs() + f"<div class='box'><p>{lorem}</p></div></div>")
    body = extract(html).body
    assert SENTENCES[0] in body and "Lorem ipsum" not in body


def test_a_related_heading_widget_drops_the_teaser_block_beside_it():
    teasers = "".join(f"<div class='card'><p>Another story about something else entirely, number {i}, with a "
                      f"teaser sentence long enough to count as text.</p></div>" for i in range(2))
    html = page("<div class='wrap'>" + paragraphs() + "<div class='section'>"
                + "<div class='widget'><div class='widget-container'><h2>Similar Posts</h2></div></div>"
                + "<div class='widget'>" + teasers + "</div></div></div>")
    body = extract(html).body
    assert SENTENCES[-1] in body and "Another story" not in body


def test_a_photo_credit_under_the_headline_is_not_the_author():
    html = page("<article><h1>Council approves transit budget</h1><p>By</p><p>Maria Lopez</p>"
                "<div class='image'><img src='a.jpg'><div class='field caption'><span>Image by: </span>"
                "<p>Agencyphotos.com</p></div></div><div class='entry-content'>" + paragraphs() + "</div></article>")
    html = html.replace(b"</title>", b"</title><meta name='author' content='Maria Lopez'>")
    assert extract(html).author == "Maria Lopez"


def test_a_footer_column_of_legal_disclaimers_is_not_the_article():
    disclaimer = ("<p>This material is not intended to replace the advice of a qualified advisor. Information has been "
                  "obtained from sources believed to be reliable and is for informational purposes only, without any "
                  "warranty of completeness or accuracy of any kind, express or implied, for any purpose.</p>"
                  "<p>Products and services referenced are for general information only. Always consult a qualified "
                  "advisor before purchasing. The company cannot be held liable for any damages arising from the use of "
                  "this material, its products or the services referenced anywhere on this website.</p>")
    html = page("<h1>Council approves transit budget</h1><div class='col'><p>" + SENTENCES[0] + " " + SENTENCES[1]
                + "</p><p>Key points of the plan include:</p><ul><li>Twelve new routes</li><li>Evening service</li></ul>"
                + "</div><div class='col'>" + disclaimer + "<p>Copyright © 2023 Example Advisors. All Rights "
                "Reserved.</p></div>")
    body = extract(html).body
    assert SENTENCES[0] in body and "not intended to replace" not in body


def test_an_english_byline_followed_by_a_date():
    html = page("<h1>Council approves transit budget</h1><p>By Maria Lopez August 12, 2021</p>"
                "<div class='entry-content'>" + paragraphs() + "</div>")
    assert extract(html).author == "Maria Lopez"


def test_an_author_label_on_its_own_line_and_a_written_by_label():
    html = page("<h1>Council approves transit budget</h1><div class='meta'><span>Author</span><span>Maria Lopez</span>"
                "</div><div class='entry-content'>" + paragraphs() + "</div><div>Intermezzo by Sally Rooney</div>")
    html = html.replace(b"<span>Author</span>", b"<div>Author</div>").replace(b"<span>Maria Lopez</span>",
                                                                          b"<div>Maria Lopez</div>")
    assert extract(html).author == "Maria Lopez"
    html = page("<h1>Council approves transit budget</h1><div class='entry-content'>" + paragraphs()
                + "<p>Written by: Maria Lopez</p></div>")
    assert extract(html).author == "Maria Lopez"


def test_a_name_and_a_date_on_a_header_line():
    html = page("<h1>Council approves transit budget</h1><div>Maria Lopez July 3, 2025</div>"
                "<div class='entry-content'>" + paragraphs() + "</div>")
    assert extract(html).author == "Maria Lopez"
    html = page("<h1>Council approves transit budget</h1><div>Press Release July 3, 2025</div>"
                "<div class='entry-content'>" + paragraphs() + "</div>")
    assert extract(html).author is None


def test_a_link_list_the_article_introduces_or_a_directory_list_stays():
    books = "".join(f"<li><a href='/b{i}'>Book title number {i}</a> by <a href='/a{i}'>Some Author</a></li>"
                    for i in range(6))
    html = page("<div class='entry-content'>" + paragraphs(SENTENCES[:3])
                + "<p>Here were the most popular older titles of the year:</p><ul>" + books + "</ul>"
                + paragraphs(SENTENCES[3:]) + "</div>")
    body = extract(html).body
    assert "Book title number 3 by Some Author" in body
    clinics = "".join(f"<li><a href='/c{i}'>{name} Clinic</a></li><li>{100 + i} Main Street</li>"
                      f"<li>(415) 555-010{i}</li>" for i, name in enumerate(("Access", "Holos", "Marina", "Sunset")))
    html = page("<div class='entry-content'>" + paragraphs(SENTENCES[:3]) + "<ul>" + clinics + "</ul>"
                + paragraphs(SENTENCES[3:]) + "</div>")
    assert "Marina Clinic" in extract(html).body
    teasers = "".join(f"<li><a href='/p{i}'>Another story about something else {i}</a></li>" for i in range(5))
    html = page("<div class='entry-content'>" + paragraphs() + "<p>If you liked this post you might also like:</p>"
                + "<ul>" + teasers + "</ul></div>")
    assert "Another story" not in extract(html).body


def test_the_visible_headline_beats_a_rewritten_title_and_a_site_name_heading():
    html = page("<h1>Council approves the new transit budget after debate</h1><div class='entry-content'>"
                + paragraphs() + "</div>", title="Transit Budget 2025: Everything You Need To Know | City News")
    assert extract(html).title == "Council approves the new transit budget after debate"
    html = page("<div class='logo'><h2>City News</h2></div><div class='entry-content'>" + paragraphs() + "</div>",
                title="Council approves transit budget | City News")
    assert extract(html).title == "Council approves transit budget"
