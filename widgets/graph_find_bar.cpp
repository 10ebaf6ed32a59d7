#include "widgets/graph_find_bar.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QStyle>
#include <QToolButton>

namespace qs::widgets {

GraphFindBar::GraphFindBar(GraphView* view, QWidget* parent)
    : QWidget(parent),
      view_(view),
      edit_(new QLineEdit(this)),
      previous_(new QToolButton(this)),
      next_(new QToolButton(this)),
      close_(new QToolButton(this)),
      status_(new QLabel(this)) {
  setObjectName(QStringLiteral("graphFindBar"));
  edit_->setObjectName(QStringLiteral("graphFindEdit"));
  edit_->setPlaceholderText(tr("Find op type, tensor name or #index"));
  edit_->setClearButtonEnabled(true);
  edit_->installEventFilter(this);
  edit_->setMinimumWidth(220);

  previous_->setObjectName(QStringLiteral("graphFindPrevious"));
  previous_->setArrowType(Qt::UpArrow);
  previous_->setToolTip(tr("Previous match (Shift+Enter)"));
  previous_->setAutoRaise(true);
  next_->setObjectName(QStringLiteral("graphFindNext"));
  next_->setArrowType(Qt::DownArrow);
  next_->setToolTip(tr("Next match (Enter)"));
  next_->setAutoRaise(true);
  close_->setObjectName(QStringLiteral("graphFindClose"));
  close_->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
  close_->setToolTip(tr("Close (Escape)"));
  close_->setAutoRaise(true);
  status_->setObjectName(QStringLiteral("graphFindStatus"));
  status_->setMinimumWidth(status_->fontMetrics().horizontalAdvance(QStringLiteral("9999 of 9999")));

  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(4, 2, 4, 2);
  layout->setSpacing(4);
  layout->addWidget(edit_, 1);
  layout->addWidget(status_);
  layout->addWidget(previous_);
  layout->addWidget(next_);
  layout->addWidget(close_);
  setFocusProxy(edit_);

  connect(edit_, &QLineEdit::textChanged, this, [this] { search(true); });
  connect(next_, &QToolButton::clicked, this, &GraphFindBar::findNext);
  connect(previous_, &QToolButton::clicked, this, &GraphFindBar::findPrevious);
  connect(close_, &QToolButton::clicked, this, [this] {
    reset();
    emit closeRequested();
  });
  if (view_ != nullptr) {
    // A new model or subgraph: same text, fresh matches, no jump.
    connect(view_, &GraphView::graphChanged, this, [this] { search(false); });
  }
  updateStatus();
}

void GraphFindBar::activate() {
  edit_->setFocus(Qt::ShortcutFocusReason);
  edit_->selectAll();
}

void GraphFindBar::reset() {
  edit_->clear();  // searches with empty text: drops the marks
}

void GraphFindBar::search(bool jump) {
  hits_ = view_ != nullptr ? view_->find(edit_->text()) : QList<GraphHit>();
  current_ = -1;
  if (view_ != nullptr) view_->setHighlightedHits(hits_);
  if (jump && !hits_.isEmpty()) {
    showHit(0);
  } else {
    updateStatus();
  }
}

void GraphFindBar::showHit(int index) {
  if (hits_.isEmpty()) return;
  current_ = (index % hits_.size() + hits_.size()) % static_cast<int>(hits_.size());
  if (view_ != nullptr) view_->activateHit(hits_[current_]);
  updateStatus();
}

void GraphFindBar::findNext() {
  if (hits_.isEmpty()) return;
  showHit(current_ + 1);
}

void GraphFindBar::findPrevious() {
  if (hits_.isEmpty()) return;
  showHit(current_ < 0 ? static_cast<int>(hits_.size()) - 1 : current_ - 1);
}

QString GraphFindBar::statusText() const {
  if (edit_->text().trimmed().isEmpty()) return {};
  if (hits_.isEmpty()) return tr("No matches");
  if (current_ < 0) return tr("%n match(es)", nullptr, static_cast<int>(hits_.size()));
  return tr("%1 of %2").arg(current_ + 1).arg(hits_.size());
}

void GraphFindBar::updateStatus() {
  status_->setText(statusText());
  const bool none = !edit_->text().trimmed().isEmpty() && hits_.isEmpty();
  status_->setStyleSheet(none ? QStringLiteral("color: #b3261e") : QString());
  previous_->setEnabled(hits_.size() > 0);
  next_->setEnabled(hits_.size() > 0);
}

bool GraphFindBar::eventFilter(QObject* watched, QEvent* event) {
  if (watched == edit_ && event->type() == QEvent::KeyPress) {
    auto* key = static_cast<QKeyEvent*>(event);
    const bool shift = (key->modifiers() & Qt::ShiftModifier) != 0;
    switch (key->key()) {
      case Qt::Key_Return:
      case Qt::Key_Enter:
      case Qt::Key_F3:
        shift ? findPrevious() : findNext();
        return true;
      case Qt::Key_Escape:
        reset();
        emit closeRequested();
        return true;
      default:
        break;
    }
  }
  return QWidget::eventFilter(watched, event);
}

}  // namespace qs::widgets
