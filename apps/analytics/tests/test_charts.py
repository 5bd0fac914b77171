from apps.analytics import charts


def test_line_chart_escapes_labels_and_has_a_title_and_table():
    chart = charts.line_chart(
        title="Impressions <b>", labels=["a<script>", "b"], series=[("Views", [1, 3])]
    )
    assert "<script>" not in chart.svg
    assert "&lt;script&gt;" in chart.svg
    assert 'viewBox="0 0 420 240"' in chart.svg
    assert "<title>Impressions &lt;b&gt;</title>" in chart.svg
    assert chart.headers == ["", "Views"]
    assert chart.rows == [["a<script>", "1"], ["b", "3"]]


def test_bar_post_and_funnel_charts_escape_their_labels_names_and_values():
    drawn = [
        charts.bar_chart(title="t", value_label="n", bars=[("<i>w1</i>", 2)]),
        charts.post_bars(
            title="t", labels=["<i>w1</i>"], bars=("<i>B</i>", [10]), dots=("<i>D</i>", [1])
        ),
        charts.funnel_chart(
            title="t", headers=["s", "n", "v"], stages=[("<i>w1</i>", 3, "<i>€</i>")]
        ),
    ]
    for chart in drawn:
        assert "<i>" not in chart.svg
        assert "&lt;i&gt;w1&lt;/i&gt;" in chart.svg
        assert "<i>" not in chart.rows_html + chart.head_html
    assert "&lt;i&gt;B&lt;/i&gt;</title>" in drawn[1].svg
    assert "&lt;i&gt;D&lt;/i&gt;</title>" in drawn[1].svg
    assert "3 · &lt;i&gt;€&lt;/i&gt;</text>" in drawn[2].svg


def test_a_charts_table_alternative_has_a_heading_per_column_and_a_row_per_value():
    chart = charts.bar_chart(title="t", value_label="Leads", bars=[("2 Nov", 4), ("9 Nov", 1200)])
    assert chart.head_html == '<th scope="col"></th><th scope="col">Leads</th>'
    assert chart.rows_html == (
        '<tr><th scope="row">2 Nov</th><td>4</td></tr>'
        '<tr><th scope="row">9 Nov</th><td>1,200</td></tr>'
    )


def test_bar_chart_and_funnel_handle_empty_and_zero_data():
    assert charts.bar_chart(title="t", value_label="n", bars=[]).rows == []
    bars = charts.bar_chart(title="t", value_label="n", bars=[("w1", 0), ("w2", 4)])
    assert bars.rows == [["w1", "0"], ["w2", "4"]]
    funnel = charts.funnel_chart(
        title="f", headers=["s", "n", "v"], stages=[("New", 3, "€10"), ("Won", 0, "€0")]
    )
    assert funnel.rows[0] == ["New", "3", "€10"]
    assert funnel.svg.count("<rect") == 2


def test_a_right_axis_gives_the_last_series_its_own_scale():
    chart = charts.line_chart(
        title="t",
        labels=["a", "b"],
        series=[("Impressions", [1000, 4000]), ("Engagement", [30, 120])],
        right_axis=True,
    )
    # Both series peak at the top of the plot, each on its own scale, labelled left and right.
    tops = [
        line.split('points="')[1].split('"')[0].split()[-1].split(",")[1]
        for line in chart.svg.split("<polyline")[1:]
    ]
    assert tops[0] == tops[1]
    assert ">4,000<" in chart.svg
    assert ">120<" in chart.svg
    assert chart.rows == [["a", "1,000", "30"], ["b", "4,000", "120"]]


def test_a_post_with_one_snapshot_is_drawn_as_a_point_with_its_value():
    chart = charts.line_chart(title="t", labels=["4 Dec, 10:00"], series=[("Reactions", [7])])
    assert chart.svg.count("<circle") == 1
    assert "<title>Reactions: 7 (4 Dec, 10:00)</title>" in chart.svg


def test_post_bars_draw_one_bar_and_one_dot_per_publication_day():
    chart = charts.post_bars(
        title="t",
        labels=["5 Nov", "13 Nov", "3 Dec"],
        bars=("Impressions", [1200, 800, 3882]),
        dots=("Engagement", [40, 12, 108]),
    )
    assert chart.svg.count('<rect class="chart-bar"') == 3
    assert chart.svg.count('<circle class="chart-dot') == 3
    assert "<polyline" not in chart.svg  # no line falling to zero between posts
    assert ">3,882<" in chart.svg  # the left scale
    assert ">108<" in chart.svg  # the right scale
    assert chart.rows[2] == ["3 Dec", "3,882", "108"]


def test_the_svg_has_an_intrinsic_size_so_labels_keep_their_size():
    chart = charts.bar_chart(title="t", value_label="n", bars=[("a", 1)])
    assert 'width="420" height="240"' in chart.svg


def test_a_sparkline_needs_two_values_and_scales_to_the_largest():
    assert charts.sparkline([5], label="x") == ""
    spark = charts.sparkline([0, 10, 5], label="Impressions by day")
    assert 'class="spark-svg"' in spark
    assert 'role="img"' in spark
    assert 'aria-label="Impressions by day: lowest 0, highest 10, last 5."' in spark
    assert "50.0,2.0" in spark  # the peak touches the top
