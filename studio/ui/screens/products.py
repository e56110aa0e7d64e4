"""Products: a grid of product photos with details and the recommendations both ways."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from studio.services.catalog import list_products
from studio.ui.errors import guarded
from studio.ui.screens.base import Screen
from studio.ui.topics import Topic
from studio.ui.viewmodels.images import thumbnail
from studio.ui.viewmodels.products import (
    photo_path,
    recommended_products,
    recommended_segments,
)
from studio.ui.widgets import heading

TILE = 132


def _recommendation_item(title: str, explanation: str, score: float) -> QListWidgetItem:
    item = QListWidgetItem(f"{title}  ·  score {score:.2f}\n{explanation}")
    item.setToolTip(explanation)
    return item


class ProductsScreen(Screen):
    title = "Products"
    description = (
        "Your catalogue. Select a product to see which segments it suits best, or pick a "
        "segment to see the products it is most likely to buy, with the reasons."
    )
    icon = QStyle.StandardPixmap.SP_FileDialogContentsView
    watches = (Topic.PRODUCTS, Topic.SEGMENTS)

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.grid_model = QStandardItemModel(self)
        self.grid = QListView()
        self.grid.setModel(self.grid_model)
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setIconSize(QSize(TILE, TILE))
        self.grid.setGridSize(QSize(TILE + 28, TILE + 48))
        self.grid.setWordWrap(True)
        self.grid.setUniformItemSizes(True)
        self.grid.setAccessibleName("Products")

        details = QWidget()
        side = QVBoxLayout(details)
        self.photo = QLabel()
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo.setMinimumHeight(220)
        self.photo.setAccessibleName("Product photo")
        self.name = heading("", size=1.2)
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.product_description = QLabel()
        self.product_description.setWordWrap(True)
        self.segments_list = QListWidget()
        self.segments_list.setAccessibleName("Recommended segments")
        self.segments_list.setWordWrap(True)
        side.addWidget(self.photo)
        side.addWidget(self.name)
        side.addWidget(self.facts)
        side.addWidget(self.product_description)
        side.addWidget(QLabel("<b>Best segments for this product</b>"))
        side.addWidget(self.segments_list, 1)
        side.addWidget(QLabel("<b>Best products for a segment</b>"))
        self.segment_choice = QComboBox()
        self.segment_choice.setAccessibleName("Segment")
        self.products_list = QListWidget()
        self.products_list.setAccessibleName("Recommended products")
        self.products_list.setWordWrap(True)
        side.addWidget(self.segment_choice)
        side.addWidget(self.products_list, 1)
        scroll = QScrollArea()
        scroll.setWidget(details)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumWidth(360)

        splitter = QSplitter()
        splitter.addWidget(self.grid)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.layout_.addWidget(splitter, 1)

        self.products: list[dict[str, Any]] = []
        self.grid.selectionModel().currentChanged.connect(
            lambda current, _previous: self.show_product(current.row())
        )
        self.segment_choice.currentIndexChanged.connect(lambda _i: self.show_segment())

    def refresh(self) -> None:
        workspace = self.session.workspace
        self.grid_model.clear()
        self.segment_choice.blockSignals(True)
        self.segment_choice.clear()
        self.segment_choice.blockSignals(False)
        if workspace is None:
            return
        with guarded("Listing the products", self):
            from studio.services.audience import list_segments

            self.products = list_products(workspace)
            for product in self.products:
                item = QStandardItem(product["name"])
                item.setEditable(False)
                pixmap = thumbnail(photo_path(workspace, product["image_sha256"]), TILE)
                if not pixmap.isNull():
                    item.setIcon(QIcon(pixmap))
                item.setToolTip(f"{product['name']} — {product['category'] or 'no category'}")
                self.grid_model.appendRow(item)
            for segment in list_segments(workspace, include_rules=True):
                self.segment_choice.addItem(segment["name"], segment["id"])
        if self.products:
            self.grid.setCurrentIndex(self.grid_model.index(0, 0))
        self.show_segment()

    def show_product(self, row: int) -> None:
        workspace = self.session.workspace
        if workspace is None or not 0 <= row < len(self.products):
            return
        product = self.products[row]
        pixmap = thumbnail(photo_path(workspace, product["image_sha256"]), 240)
        self.photo.setPixmap(pixmap)
        if pixmap.isNull():
            self.photo.setText("No photo")
        self.name.setText(product["name"])
        price = f"{product['price']:.2f} {product['currency'] or ''}" if product["price"] else ""
        self.facts.setText(" · ".join(p for p in (product["sku"], product["category"], price) if p))
        self.product_description.setText(product["description"] or "")
        self.segments_list.clear()
        with guarded("Reading recommendations", self):
            matches = recommended_segments(workspace, product["id"])
            for match in matches:
                self.segments_list.addItem(
                    _recommendation_item(match["name"], match["explanation"], match["score"])
                )
            if not matches:
                self.segments_list.addItem("No segment has this product among its best yet.")

    def show_segment(self) -> None:
        workspace = self.session.workspace
        self.products_list.clear()
        segment_id = self.segment_choice.currentData()
        if workspace is None or segment_id is None:
            self.products_list.addItem("Segment the customers (Audience) to see recommendations.")
            return
        with guarded("Reading recommendations", self):
            for match in recommended_products(workspace, segment_id, k=8):
                self.products_list.addItem(
                    _recommendation_item(match["name"], match["explanation"], match["score"])
                )
