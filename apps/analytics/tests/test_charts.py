from apps.analytics import charts


def test_line_chart_escapes_labels_and_has_a_title_and_table():
    chart = charts.line_chart(
        title="Impressions <b>", labels=["a<script>", "b"], series=[("Views", [1, 3])]
    )
    assert "<script>" not in chart.svg
    assert "&lt;script&gt;" in chart.svg
    assert 'viewBox="0 0 600 220"' in chart.svg
    assert "<title>Impressions &lt;b&gt;</title>" in chart.svg
    assert chart.headers == ["", "Views"]
    assert chart.rows == [["a<script>", "1"], ["b", "3"]]


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
