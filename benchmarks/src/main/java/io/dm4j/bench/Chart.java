package io.dm4j.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A horizontal bar chart of ratios on a logarithmic axis, drawn with java.awt (headless): each bar
 * starts at 1× and ends at its ratio, green where it meets its goal, red where it misses it, blue
 * where it has none; the goal is a black tick across the bar's row.
 */
final class Chart {
    /** One bar; {@code goal} is NaN for none, {@code higherIsBetter} says which side of it is met. */
    record Bar(String label, double value, double goal, boolean higherIsBetter) {
        boolean hasGoal() {
            return !Double.isNaN(goal);
        }

        boolean met() {
            return higherIsBetter ? value >= goal : value <= goal;
        }
    }

    record Section(String title, List<Bar> bars) {}

    private static final Color MET = new Color(0x2e, 0x9e, 0x4f);
    private static final Color MISSED = new Color(0xd6, 0x3b, 0x2f);
    private static final Color INFO = new Color(0x4a, 0x78, 0xb8);
    private static final Color GRID = new Color(0xdd, 0xdd, 0xdd);
    private static final int WIDTH = 1400;
    private static final int LABEL_RIGHT = 330;
    private static final int PLOT_LEFT = 345;
    private static final int PLOT_RIGHT = 1270;
    private static final int ROW = 24;
    private static final int SECTION_HEAD = 40;

    private Chart() {}

    static void write(String title, String subtitle, List<Section> sections, Path png) throws IOException {
        double lo = 1;
        double hi = 1;
        int rows = 0;
        for (Section s : sections) {
            for (Bar b : s.bars) {
                rows++;
                if (b.value > 0 && Double.isFinite(b.value)) {
                    lo = Math.min(lo, b.value);
                    hi = Math.max(hi, b.value);
                }
                if (b.hasGoal()) {
                    lo = Math.min(lo, b.goal);
                    hi = Math.max(hi, b.goal);
                }
            }
        }
        double min = step(lo / 1.15, false);
        double max = step(hi * 1.5, true); // room for the value labels
        int top = 96;
        int height = top + sections.size() * SECTION_HEAD + rows * ROW + 70;

        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);
            Font plain = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
            Font bold = new Font(Font.SANS_SERIF, Font.BOLD, 15);

            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
            g.drawString(title, 20, 30);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            g.drawString(subtitle, 20, 52);
            legend(g, 20, 72);

            int plotTop = top;
            int plotBottom = height - 50;
            // Grid and axis labels (1-2-5 per decade), top and bottom.
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics fm = g.getFontMetrics();
            for (double decade = Math.pow(10, Math.floor(Math.log10(min))); decade < max * 1.001; decade *= 10) {
                for (int m : new int[] {1, 2, 5}) {
                    double v = decade * m;
                    if (v < min * 0.999 || v > max * 1.001) {
                        continue;
                    }
                    int x = x(v, min, max);
                    g.setColor(v == 1 ? Color.DARK_GRAY : GRID);
                    g.setStroke(new BasicStroke(v == 1 ? 2f : 1f));
                    g.drawLine(x, plotTop - 4, x, plotBottom);
                    String text = tick(v);
                    g.setColor(Color.DARK_GRAY);
                    g.drawString(text, x - fm.stringWidth(text) / 2, plotBottom + 16);
                }
            }
            g.setColor(Color.DARK_GRAY);
            String axis = "ratio (log scale); bars start at 1x";
            g.drawString(axis, (PLOT_LEFT + PLOT_RIGHT) / 2 - fm.stringWidth(axis) / 2, plotBottom + 36);

            int y = plotTop;
            for (Section s : sections) {
                g.setFont(bold);
                g.setColor(Color.BLACK);
                g.drawString(s.title, 20, y + 26);
                y += SECTION_HEAD;
                g.setFont(plain);
                fm = g.getFontMetrics();
                for (Bar b : s.bars) {
                    int mid = y + ROW / 2;
                    g.setColor(Color.BLACK);
                    g.drawString(b.label, LABEL_RIGHT - fm.stringWidth(b.label), mid + 5);
                    if (b.value > 0 && Double.isFinite(b.value)) {
                        int x1 = x(1, min, max);
                        int x2 = x(b.value, min, max);
                        g.setColor(!b.hasGoal() ? INFO : b.met() ? MET : MISSED);
                        g.fillRect(Math.min(x1, x2), mid - 8, Math.max(2, Math.abs(x2 - x1)), 16);
                        g.setColor(Color.BLACK);
                        g.drawString(value(b.value) + "x", Math.max(x1, x2) + 6, mid + 5);
                    } else {
                        g.setColor(MISSED);
                        g.drawString("not measured", PLOT_LEFT + 4, mid + 5);
                    }
                    if (b.hasGoal()) {
                        int gx = x(b.goal, min, max);
                        g.setColor(Color.BLACK);
                        g.setStroke(new BasicStroke(3f));
                        g.drawLine(gx, mid - 11, gx, mid + 11);
                        g.setStroke(new BasicStroke(1f));
                    }
                    y += ROW;
                }
            }
        } finally {
            g.dispose();
        }
        ImageIO.write(image, "png", png.toFile());
    }

    private static void legend(Graphics2D g, int x, int y) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        FontMetrics fm = g.getFontMetrics();
        Object[][] items = {{MET, "goal met"}, {MISSED, "goal missed"}, {INFO, "no goal (context)"}};
        for (Object[] item : items) {
            g.setColor((Color) item[0]);
            g.fillRect(x, y - 11, 26, 13);
            g.setColor(Color.BLACK);
            g.drawString((String) item[1], x + 32, y);
            x += 32 + fm.stringWidth((String) item[1]) + 24;
        }
        g.setStroke(new BasicStroke(3f));
        g.drawLine(x + 10, y - 13, x + 10, y + 2);
        g.setStroke(new BasicStroke(1f));
        g.drawString("goal", x + 20, y);
    }

    /** The nearest 1-2-5 value above (or below) {@code v}. */
    private static double step(double v, boolean up) {
        double decade = Math.pow(10, Math.floor(Math.log10(v)));
        double[] steps = {1, 2, 5, 10};
        if (up) {
            for (double s : steps) {
                if (decade * s >= v * 0.999) {
                    return decade * s;
                }
            }
        }
        for (int i = steps.length - 1; i >= 0; i--) {
            if (decade * steps[i] <= v * 1.001) {
                return decade * steps[i];
            }
        }
        return decade;
    }

    private static int x(double v, double min, double max) {
        double f = (Math.log(v) - Math.log(min)) / (Math.log(max) - Math.log(min));
        return (int) Math.round(PLOT_LEFT + f * (PLOT_RIGHT - PLOT_LEFT));
    }

    private static String tick(double v) {
        return v >= 1 ? String.format(Locale.ROOT, "%.0fx", v) : String.format(Locale.ROOT, "%sx", trim(v));
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.4f", v);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    static String value(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v)
                : v >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
