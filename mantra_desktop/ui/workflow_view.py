"""A drawing of a workflow: nodes, wires and sticky notes where n8n puts them.

Built from :func:`mantra_desktop.workflows.workflow_graph`. Nodes are rounded
boxes with their name under them and their type inside; triggers have a
rounded left side and a lightning mark, disabled nodes are dimmed. Wires are
bezier curves from an output on the right of a node to an input on its left
(AI wires run from the bottom of the sub-node up to the node it serves).
Ctrl+wheel and the +/- buttons zoom, dragging pans, and the fit button (also
applied when a workflow is shown) puts the whole drawing in view.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QPainter,
    QPainterPath,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from mantra_desktop.workflows import GraphNode, WorkflowGraph, workflow_graph
from mantra_desktop.workflows.layout import NODE_SIZE

logger = logging.getLogger(__name__)

ZOOM_STEP = 1.2
MIN_SCALE = 0.05
MAX_SCALE = 4.0
CORNER = 10.0
PORT_GAP = 22.0

CANVAS = QColor("#f4f5f7")
NODE_FILL = QColor("#ffffff")
NODE_BORDER = QColor("#9aa3af")
TRIGGER_BORDER = QColor("#e8743b")
WIRE = QColor("#8b93a1")
AI_WIRE = QColor("#7a5af8")
TEXT = QColor("#1f2430")
MUTED_TEXT = QColor("#5b6472")

# n8n's sticky note colours 1-7: yellow, orange, red, green, blue, purple, grey.
STICKY_COLOURS = {
    1: "#fff5d6",
    2: "#fde9d9",
    3: "#fbdcdc",
    4: "#e3f4e1",
    5: "#dceefd",
    6: "#ece4fb",
    7: "#eeeeee",
}


def sticky_colour(value: int | str) -> QColor:
    """Return the fill for an n8n sticky note colour (number or ``#rrggbb``)."""
    if isinstance(value, str) and QColor.isValidColorName(value):
        colour = QColor(value)
        colour.setAlpha(110)
        return colour
    number = value if isinstance(value, int) else 1
    return QColor(STICKY_COLOURS.get(number, STICKY_COLOURS[1]))


class NodeItem(QGraphicsPathItem):
    """One node: a rounded box, its type label inside and its name below."""

    def __init__(self, node: GraphNode) -> None:
        super().__init__()
        self.node = node
        box = QRectF(0, 0, NODE_SIZE, NODE_SIZE)
        path = QPainterPath()
        if node.is_trigger:
            # n8n draws triggers with a round left side.
            path.moveTo(box.width() / 2, 0)
            path.lineTo(box.width() - CORNER, 0)
            path.arcTo(box.width() - 2 * CORNER, 0, 2 * CORNER, 2 * CORNER, 90, -90)
            path.lineTo(box.width(), box.height() - CORNER)
            path.arcTo(
                box.width() - 2 * CORNER,
                box.height() - 2 * CORNER,
                2 * CORNER,
                2 * CORNER,
                0,
                -90,
            )
            path.lineTo(box.width() / 2, box.height())
            path.arcTo(0, 0, box.width(), box.height(), 270, -180)
            path.closeSubpath()
        else:
            path.addRoundedRect(box, CORNER, CORNER)
        self.setPath(path)
        self.setPos(node.x, node.y)
        self.setBrush(QBrush(NODE_FILL))
        border = TRIGGER_BORDER if node.is_trigger else NODE_BORDER
        self.setPen(QPen(border, 2.0))
        self.setToolTip(f"{node.name}\n{node.type}")
        self.setZValue(2)
        # Text items are QObjects: without a Python reference they are deleted.
        self.texts: list[QGraphicsItem] = []

        label = QGraphicsTextItem(self)
        label.setDefaultTextColor(MUTED_TEXT)
        label.setTextWidth(NODE_SIZE - 12)
        label.document().setDocumentMargin(0)
        font = QFont()
        font.setPointSizeF(9)
        font.setBold(True)
        label.setFont(font)
        label.setHtml(f"<div align='center'>{_escape(node.label)}</div>")
        height = label.boundingRect().height()
        label.setPos(6, max(4.0, (NODE_SIZE - height) / 2))

        title = QGraphicsTextItem(self)
        title.setDefaultTextColor(TEXT)
        title.setTextWidth(NODE_SIZE + 60)
        title.document().setDocumentMargin(0)
        title.setHtml(f"<div align='center'>{_escape(node.name)}</div>")
        title.setPos(-30, NODE_SIZE + 6)
        self.texts += [label, title]

        if node.is_trigger:
            mark = QGraphicsSimpleTextItem("⚡", self)
            mark.setBrush(QBrush(TRIGGER_BORDER))
            mark_font = QFont()
            mark_font.setPointSizeF(16)
            mark.setFont(mark_font)
            mark.setPos(-26, NODE_SIZE / 2 - 14)
            self.texts.append(mark)
        if node.disabled:
            self.setOpacity(0.4)
            label.setHtml(f"<div align='center'>{_escape(node.label)}<br>(off)</div>")

    def output_point(self, index: int) -> QPointF:
        return QPointF(self.node.x + NODE_SIZE, self._port_y(index))

    def input_point(self, index: int) -> QPointF:
        return QPointF(self.node.x, self._port_y(index))

    def _port_y(self, index: int) -> float:
        return self.node.y + NODE_SIZE / 2 + index * PORT_GAP


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def wire_path(start: QPointF, end: QPointF, *, vertical: bool = False) -> QPainterPath:
    """A bezier curve from ``start`` to ``end``, leaving and entering smoothly."""
    path = QPainterPath(start)
    if vertical:
        bend = max(40.0, abs(end.y() - start.y()) / 2)
        path.cubicTo(
            QPointF(start.x(), start.y() - bend), QPointF(end.x(), end.y() + bend), end
        )
        return path
    bend = max(40.0, abs(end.x() - start.x()) / 2)
    path.cubicTo(
        QPointF(start.x() + bend, start.y()), QPointF(end.x() - bend, end.y()), end
    )
    return path


def build_scene(scene: QGraphicsScene, graph: WorkflowGraph) -> list[QGraphicsItem]:
    """Fill ``scene`` with the items that draw ``graph``.

    Returns every item created; the caller keeps the list for as long as the
    scene shows them, because PySide deletes an unreferenced text item.
    """
    scene.clear()
    created: list[QGraphicsItem] = []
    for note in graph.notes:
        box = QGraphicsRectItem(0, 0, note.width, note.height)
        box.setPos(note.x, note.y)
        colour = sticky_colour(note.color)
        box.setBrush(QBrush(colour))
        box.setPen(QPen(colour.darker(115), 1.0))
        box.setZValue(0)
        box.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)
        text = QGraphicsTextItem(box)
        text.setDefaultTextColor(TEXT)
        text.setTextWidth(max(40.0, note.width - 16))
        text.document().setMarkdown(note.content)
        text.setPos(8, 6)
        scene.addItem(box)
        created += [box, text]

    items: dict[str, NodeItem] = {}
    for node in graph.nodes:
        item = NodeItem(node)
        items[node.name] = item
        scene.addItem(item)
        created += [item, *item.texts]

    for edge in graph.edges:
        source, target = items[edge.source], items[edge.target]
        if edge.kind == "main":
            path = wire_path(
                source.output_point(edge.source_output),
                target.input_point(edge.target_input),
            )
            pen = QPen(WIRE, 2.0)
        else:
            start = QPointF(source.node.x + NODE_SIZE / 2, source.node.y)
            end = QPointF(target.node.x + NODE_SIZE / 2, target.node.y + NODE_SIZE)
            path = wire_path(start, end, vertical=True)
            pen = QPen(AI_WIRE, 1.6, Qt.PenStyle.DashLine)
        wire = QGraphicsPathItem(path)
        wire.setPen(pen)
        wire.setZValue(1)
        scene.addItem(wire)
        created.append(wire)

    bounds = graph.bounds
    margin = 60.0
    scene.setSceneRect(
        QRectF(
            bounds.x - margin,
            bounds.y - margin,
            bounds.width + 2 * margin,
            bounds.height + 2 * margin + 40,
        )
    )
    return created


class WorkflowCanvas(QGraphicsView):
    """The zoomable, draggable view of a workflow scene."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
        )
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setBackgroundBrush(QBrush(CANVAS))
        self.setAcceptDrops(False)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self._fitted = True
        self.items_shown: list[QGraphicsItem] = []

    def zoom(self, factor: float) -> None:
        """Scale by ``factor``, kept between a far overview and a close-up."""
        current = self.transform().m11()
        target = min(MAX_SCALE, max(MIN_SCALE, current * factor))
        self.scale(target / current, target / current)
        self._fitted = False

    def fit(self) -> None:
        """Show the whole workflow, never magnified beyond its real size."""
        rect = self.sceneRect()
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.transform().m11() > 1.0:
            self.resetTransform()
            self.centerOn(rect.center())
        self._fitted = True

    def wheelEvent(self, event: QWheelEvent) -> None:  # Qt override
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.zoom(ZOOM_STEP**steps)
            event.accept()
            return
        super().wheelEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        if self._fitted:
            self.fit()


class WorkflowView(QWidget):
    """A workflow drawing with zoom and fit buttons above it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = WorkflowCanvas()
        self.caption = QLabel("Workflow")
        self.caption.setObjectName("WorkflowCaption")
        self.zoom_out_button = self._tool_button(
            "\N{MINUS SIGN}", "Zoom out (Ctrl+wheel)"
        )
        self.zoom_in_button = self._tool_button("+", "Zoom in (Ctrl+wheel)")
        self.fit_button = self._tool_button("Fit", "Show the whole workflow")
        self.zoom_out_button.clicked.connect(lambda: self.canvas.zoom(1 / ZOOM_STEP))
        self.zoom_in_button.clicked.connect(lambda: self.canvas.zoom(ZOOM_STEP))
        self.fit_button.clicked.connect(self.canvas.fit)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.caption)
        bar.addStretch(1)
        for button in (self.zoom_out_button, self.zoom_in_button, self.fit_button):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(bar)
        layout.addWidget(self.canvas, 1)

    def _tool_button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setMinimumWidth(28)
        return button

    def scene(self) -> QGraphicsScene:
        return self.canvas.scene()

    def show_workflow(self, workflow: Mapping[str, Any]) -> WorkflowGraph:
        """Draw ``workflow`` and fit it in view; returns the graph drawn."""
        graph = workflow_graph(workflow)
        self.canvas.items_shown = build_scene(self.canvas.scene(), graph)
        self.canvas.resetTransform()
        self.canvas.fit()
        nodes = len(graph.nodes)
        self.caption.setText(f"Workflow · {nodes} {'node' if nodes == 1 else 'nodes'}")
        return graph

    def clear(self) -> None:
        self.canvas.scene().clear()
        self.canvas.items_shown = []
        self.caption.setText("Workflow")
