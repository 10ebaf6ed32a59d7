#pragma once
// A find bar for a GraphView: a line edit, previous/next buttons and a hit
// count. Typing searches (GraphView::find) and jumps to the first match;
// Enter / Shift+Enter (or the buttons, or F3 / Shift+F3) step through the
// matches, each selected and centred in the view; Escape clears the search
// and asks to close the bar (closeRequested). All matches stay marked in the
// graph and the overview while the text is there.

#include <QList>
#include <QPointer>
#include <QWidget>

#include "widgets/graph_view.h"

class QLabel;
class QLineEdit;
class QToolButton;

namespace qs::widgets {

class GraphFindBar final : public QWidget {
  Q_OBJECT

 public:
  explicit GraphFindBar(GraphView* view, QWidget* parent = nullptr);

  QLineEdit* lineEdit() const { return edit_; }
  const QList<GraphHit>& hits() const { return hits_; }
  // Index in hits() of the match shown, -1 for none.
  int currentHit() const { return current_; }
  // "3 of 12", "No matches" or empty.
  QString statusText() const;

 public slots:
  // Focuses the line edit with its text selected (for a Find shortcut).
  void activate();
  void findNext();
  void findPrevious();
  // Empties the text and drops the marks.
  void reset();

 signals:
  void closeRequested();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void search(bool jump);
  void showHit(int index);
  void updateStatus();

  QPointer<GraphView> view_;
  QLineEdit* edit_;
  QToolButton* previous_;
  QToolButton* next_;
  QToolButton* close_;
  QLabel* status_;
  QList<GraphHit> hits_;
  int current_ = -1;
};

}  // namespace qs::widgets
