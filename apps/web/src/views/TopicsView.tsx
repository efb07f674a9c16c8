import { Link } from 'react-router';
import { useTopics } from '../api/queries';
import { Loading, Problem } from '../ui/Problem';

export function TopicsView() {
  const topics = useTopics();
  if (topics.isPending) return <Loading what="the topics" />;
  if (topics.isError) return <Problem error={topics.error} />;
  return (
    <section>
      <h1>Topics</h1>
      <ul className="topics">
        {topics.data.topics.map((topic) => (
          <li key={topic.id}>
            <h2>
              <Link to={`/topics/${topic.id}`}>{topic.title}</Link>
            </h2>
            <p>{topic.description}</p>
            <p className="meta">
              <Link to={`/topics/${topic.id}/shifts`}>Who moved</Link>
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
